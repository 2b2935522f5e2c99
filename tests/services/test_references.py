"""Parsing the `{ref}` path segment: `me`, a numeric id or an email address."""

import pytest

from app.services.references import parse_reference


def test_parse_reference_me_is_me():
    assert parse_reference("me") == ("me", None)


@pytest.mark.parametrize(
    ("ref", "expected"), [("42", 42), ("1", 1), ("007", 7), (str(2**63 - 1), 2**63 - 1)]
)
def test_parse_reference_digits_is_id(ref, expected):
    assert parse_reference(ref) == ("id", expected)


@pytest.mark.parametrize("ref", ["9" * 20, "9" * 5000, "0"])
def test_parse_reference_beyond_any_id_matches_nobody(ref):
    assert parse_reference(ref) == ("id", 0)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("A@B.com", "a@b.com"),
        ("teszt.elek@gmail.com", "teszt.elek@gmail.com"),
        ("Émile@Example.COM", "émile@example.com"),
    ],
)
def test_parse_reference_with_at_sign_is_lower_cased_email(ref, expected):
    assert parse_reference(ref) == ("email", expected)


@pytest.mark.parametrize(
    "ref",
    [
        "١٢",
        "²",
        "４２",
        "-1",
        "+5",
        "4 2",
        "1.5",
        "1e3",
        " 42",
        "0x2a",
        "ME",
        "Me",
        "me ",
        "",
        "abc",
        "None",
        "a\x00b@example.com",
        "ab@example.com\n",
        "a\u2028@b.c",
    ],
)
def test_parse_reference_junk_is_unknown(ref):
    assert parse_reference(ref) == ("unknown", ref)
