"""Properties of the text rules: names, emails, passwords (app/schemas, app/security)."""

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st
from marshmallow import ValidationError
from zxcvbn import zxcvbn

from app.schemas.fields import MAX_EMAIL_LENGTH, Email, Text
from app.schemas.users import UserPatchSchema
from app.security import password_policy
from app.security.email_address import normalize
from app.security.printable import ALLOWED_FORMAT_CHARACTERS, FORBIDDEN_CATEGORIES
from tests.helpers import PROPERTIES

# Any code point, lone surrogates too: JSON can carry them ("\ud800").
any_character = st.one_of(st.characters(), st.characters(categories=["Cs"]))
any_text = st.text(any_character)
# The contract's "control characters" and lone surrogates, as Unicode categorizes them.
refused_character = st.characters(categories=["Cc", "Cs"])
printable_character = st.characters(
    exclude_categories=sorted(FORBIDDEN_CATEGORIES),
    include_characters="".join(ALLOWED_FORMAT_CHARACTERS),
)
printable_text = st.text(printable_character)
visible_text = printable_text.filter(str.strip)
# Strings that look like addresses, built from the pieces that break them.
address_piece = st.text(st.one_of(st.sampled_from("aZ9.@/ -_+é\tÅİ"), any_character), max_size=12)
address_like = st.builds("{}@{}.{}".format, address_piece, address_piece, address_piece)


def refused_code_points(text):
    return [char for char in text if unicodedata.category(char) in ("Cc", "Cs")]


def load(field, value):
    """The field's result, or None when it refuses the value."""
    try:
        return field.deserialize(value)
    except ValidationError:
        return None


@PROPERTIES
@given(text=any_text, trim=st.booleans())
def test_text_returns_its_input_without_control_characters_or_surrogates(text, trim):
    result = load(Text(trim=trim), text)
    if result is not None:
        assert result == (text.strip() if trim else text)
        assert refused_code_points(result) == []


@PROPERTIES
@given(before=visible_text, bad=refused_character, after=visible_text, trim=st.booleans())
def test_text_with_control_character_or_surrogate_inside_is_refused(before, bad, after, trim):
    assert load(Text(trim=trim), before + bad + after) is None


@PROPERTIES
@given(text=printable_text, trim=st.booleans())
def test_text_round_trips_printable_input(text, trim):
    assert load(Text(trim=trim), text) == (text.strip() if trim else text)


@PROPERTIES
@given(name=st.one_of(any_text, st.text(printable_character, min_size=95, max_size=110)))
def test_name_is_trimmed_and_one_to_hundred_code_points(name):
    try:
        loaded = UserPatchSchema().load({"name": name})["name"]
    except ValidationError:
        return
    assert loaded == name.strip()
    assert 1 <= len(loaded) <= 100
    assert refused_code_points(loaded) == []


@PROPERTIES
@given(
    name=st.text(printable_character, min_size=1, max_size=100).filter(str.strip),
    padding=st.sampled_from(["", " ", "\t", " \n ", "\u3000"]),
)
@example(name="🙂" * 100, padding=" ")
def test_printable_name_within_limits_is_accepted_trimmed(name, padding):
    name = name.strip()
    assert UserPatchSchema().load({"name": padding + name + padding}) == {"name": name}


@PROPERTIES
@given(text=st.one_of(any_text, address_like, st.emails()))
@example(text="Teszt.Elek@Gmail.COM")
@example(text="İ" * 240 + "@example.com")
def test_accepted_email_is_lower_case_and_well_formed(text):
    email = load(Email(), text)
    if email is None:
        return
    assert email == email.lower()
    assert load(Email(), email) == email  # the stored form is its own normal form
    local, domain = email.split("@")  # exactly one @
    assert local and all(domain.split(".")) and "." in domain
    assert not any(char.isspace() for char in email)
    assert len(email) <= MAX_EMAIL_LENGTH
    assert refused_code_points(email) == []


@PROPERTIES
@given(email=st.emails())
def test_valid_email_is_accepted_lower_cased(email):
    addressable = "/" not in email  # /users/{email} must be able to name it
    expected = email.lower() if addressable and len(email.lower()) <= MAX_EMAIL_LENGTH else None
    if expected and "xn--" in expected:  # stored with the domain's Unicode form
        expected = normalize(expected)
    assert load(Email(), email) == expected


@PROPERTIES
@given(
    password=st.one_of(any_text, st.text(any_character, min_size=120, max_size=200)),
    min_length=st.integers(min_value=8, max_value=64),
)
@example(password="🙂" * 14, min_length=15)
@example(password="🙂" * 129, min_length=15)
def test_password_outside_the_length_bounds_is_refused(password, min_length):
    problems = password_policy.problems(password, min_length=min_length)
    if not min_length <= len(password) <= password_policy.MAX_LENGTH:
        assert problems


@PROPERTIES
@given(password=st.text(printable_character, min_size=15, max_size=128).filter(str.strip))
@example(password="🙂" * 128)
@example(password=" padded, never trimmed ")
def test_printable_password_within_the_bounds_is_accepted(password):
    problems = password_policy.problems(password, min_length=15)
    assert (
        problems == []
        or password.casefold() in password_policy.common_passwords()
        or (
            zxcvbn(password[: password_policy.ZXCVBN_MAX_LENGTH])["guesses"]
            < password_policy.MIN_GUESSES
        )
    )
    assert UserPatchSchema().load({"password": password}) == {"password": password}
