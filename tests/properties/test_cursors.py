"""Properties of the signed paging cursor (app/services/cursors.py)."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.schemas.users import SORTS
from app.services import cursors
from app.services.domain_errors import InvalidRequest
from tests.helpers import PROPERTIES

KEY = "cursor-property-secret-key-0123456789abcdef"
URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

sorts = st.sampled_from([prefix + name for name in SORTS for prefix in ("", "-")])
any_character = st.one_of(st.characters(), st.characters(categories=["Cs"]))
# A keyset value is a stored id, time, name or email: valid Unicode, never a lone surrogate.
values = st.one_of(st.integers(), st.text())
# Characters a tamperer tries: the cursor's own alphabet, its look-alikes, anything.
replacements = st.one_of(st.sampled_from(URL_SAFE + "+/=.!% "), any_character)


def refuse(cursor, sort):
    with pytest.raises(InvalidRequest) as refused:
        cursors.decode(KEY, cursor, sort=sort)
    assert refused.value.code == "invalid_cursor"


def changeable(cursor):
    """Positions whose change must alter the bytes: not the last character of a base64
    segment, which may carry only padding bits."""
    return [i for i in range(len(cursor) - 1) if cursor[i + 1] != "."]


@st.composite
def edited_cursors(draw):
    """(sort, keyset, cursor, cursor with one character changed, inserted or deleted)."""
    sort, value, last_id = draw(sorts), draw(values), draw(st.integers())
    cursor = cursors.encode(KEY, sort=sort, value=value, last_id=last_id)
    edit = draw(st.sampled_from(["change", "insert", "delete"]))
    if edit == "change":
        index = draw(st.sampled_from(changeable(cursor)))
        char = draw(replacements.filter(lambda c: c != cursor[index]))
        edited = cursor[:index] + char + cursor[index + 1 :]
    elif edit == "insert":
        index = draw(st.integers(0, len(cursor)))
        edited = cursor[:index] + draw(replacements) + cursor[index:]
    else:
        index = draw(st.integers(0, len(cursor) - 1))
        edited = cursor[:index] + cursor[index + 1 :]
    return sort, {"value": value, "id": last_id}, cursor, edited


def signature_edit(old, new):
    """A cursor whose signature holds `old`, with its first `old` there replaced by `new`."""
    last_id = 0
    while True:
        last_id += 1
        cursor = cursors.encode(KEY, sort="name", value="Bob", last_id=last_id)
        start = cursor.rindex(".") + 1
        if old in cursor[start:-1]:
            index = cursor.index(old, start)
            edited = cursor[:index] + new + cursor[index + len(old) :]
            return "name", {"value": "Bob", "id": last_id}, cursor, edited


def appended(char):
    cursor = cursors.encode(KEY, sort="name", value="Bob", last_id=1)
    return "name", {"value": "Bob", "id": 1}, cursor, cursor + char


@PROPERTIES
@given(sort=sorts, value=values, last_id=st.integers())
def test_cursor_round_trips_any_keyset(sort, value, last_id):
    cursor = cursors.encode(KEY, sort=sort, value=value, last_id=last_id)
    assert set(cursor) <= set(URL_SAFE + ".")
    assert cursors.decode(KEY, cursor, sort=sort) == {"value": value, "id": last_id}


@PROPERTIES
@given(sort=sorts, other=sorts, value=values, last_id=st.integers())
def test_cursor_of_another_sort_is_refused(sort, other, value, last_id):
    if other != sort:
        refuse(cursors.encode(KEY, sort=sort, value=value, last_id=last_id), other)


@PROPERTIES
@given(case=edited_cursors())
def test_edited_cursor_never_yields_another_keyset(case):
    sort, keyset, _, edited = case
    try:
        decoded = cursors.decode(KEY, edited, sort=sort)
    except InvalidRequest as refused:
        assert refused.code == "invalid_cursor"
    else:
        assert decoded == keyset


@PROPERTIES
@given(case=edited_cursors())
@example(case=signature_edit("-", "+"))
@example(case=signature_edit("_", "/"))
@example(case=appended("="))
@example(case=appended("é"))
def test_edited_cursor_is_refused(case):
    sort, _, cursor, edited = case
    assert edited != cursor
    refuse(edited, sort)
