"""Properties of the `{ref}` parser (app/services/references.py)."""

from hypothesis import example, given
from hypothesis import strategies as st

from app.services.references import MAX_ID_DIGITS, parse_reference
from tests.properties.conftest import PROPERTIES

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
def test_every_reference_is_classified(ref):
    kind, value = parse_reference(ref)
    if ref == "me":
        assert (kind, value) == ("me", None)
    elif ref.isascii() and ref.isdigit():
        significant = ref.lstrip("0")
        expected = int(significant or "0") if len(significant) <= MAX_ID_DIGITS else 0
        assert (kind, value) == ("id", expected)
    elif "@" in ref and ref.isprintable():
        assert (kind, value) == ("email", ref.lower())
    else:
        assert (kind, value) == ("unknown", ref)


@PROPERTIES
@given(ref=references)
def test_an_id_is_a_non_negative_integer_of_at_most_nineteen_digits(ref):
    kind, value = parse_reference(ref)
    if kind == "id":
        assert type(value) is int and 0 <= value < 10**MAX_ID_DIGITS


@PROPERTIES
@given(number=st.integers(min_value=1, max_value=2**63 - 1), zeros=st.integers(0, 30))
def test_id_round_trips_with_leading_zeros(number, zeros):
    assert parse_reference("0" * zeros + str(number)) == ("id", number)
