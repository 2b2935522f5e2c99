"""Properties the `{ref}` parser (app/services/references.py) must have, for any text."""

from hypothesis import example, given
from hypothesis import strategies as st

from app.services.references import MAX_ID_DIGITS, parse_reference
from tests.helpers import PROPERTIES

KINDS = {"me", "id", "email", "unknown"}
any_character = st.one_of(st.characters(), st.characters(categories=["Cs"]))
# Path segments as clients send them: junk, digits of every script, addresses, `me`-ish.
references = st.one_of(
    st.text(any_character),
    st.text(st.characters(categories=["Nd", "No"])),
    st.text(st.sampled_from("0123456789"), min_size=1, max_size=40),
    st.builds("{}@{}".format, st.text(any_character), st.text(any_character)),
    st.sampled_from(["me", "ME", "Me", " me", "me ", "m\u0435"]),
)


@PROPERTIES
@given(ref=references)
@example(ref="9" * 19)
@example(ref="0" * 30 + "42")
@example(ref="\ud800@x")
@example(ref="\x00@x")
def test_any_text_gets_a_kind_and_never_raises(ref):
    kind, _ = parse_reference(ref)
    assert kind in KINDS


@PROPERTIES
@given(ref=references)
def test_only_me_itself_means_the_caller(ref):
    assert (parse_reference(ref)[0] == "me") == (ref == "me")


@PROPERTIES
@given(ref=references)
def test_an_id_is_a_non_negative_integer_of_at_most_nineteen_digits(ref):
    kind, value = parse_reference(ref)
    if kind == "id":
        assert type(value) is int and 0 <= value < 10**MAX_ID_DIGITS
        assert ref.isascii() and ref.isdigit()


@PROPERTIES
@given(number=st.integers(min_value=1, max_value=2**63 - 1), zeros=st.integers(0, 30))
def test_id_round_trips_with_leading_zeros(number, zeros):
    assert parse_reference("0" * zeros + str(number)) == ("id", number)


@PROPERTIES
@given(digits=st.text(st.sampled_from("123456789"), min_size=MAX_ID_DIGITS + 1, max_size=40))
def test_an_id_too_long_for_any_user_matches_nobody(digits):
    assert parse_reference(digits) == ("id", 0)


@PROPERTIES
@given(
    digits=st.text(st.characters(categories=["Nd"]), min_size=1).filter(
        lambda text: not text.isascii()
    )
)
def test_digits_of_other_scripts_are_not_an_id(digits):
    assert parse_reference(digits)[0] != "id"


@PROPERTIES
@given(ref=references)
def test_an_email_is_lower_case_printable_and_parses_to_itself(ref):
    kind, value = parse_reference(ref)
    if kind == "email":
        assert "@" in value and value.isprintable() and value == ref.lower()
        assert parse_reference(value) == ("email", value)


@PROPERTIES
@given(ref=references)
def test_an_unknown_reference_is_kept_as_sent(ref):
    kind, value = parse_reference(ref)
    if kind == "unknown":
        assert value == ref
