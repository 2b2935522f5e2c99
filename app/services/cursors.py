"""Opaque, signed cursors for keyset paging."""

import functools
import re

from itsdangerous import BadData, URLSafeSerializer

from app.security.tokens import CURSOR_PATTERN
from app.services.domain_errors import InvalidRequest

SALT = "users-page-cursor"
CURSOR_FORM = re.compile(CURSOR_PATTERN)


@functools.lru_cache(maxsize=8)
def _serializer(secret_key):
    return URLSafeSerializer(secret_key, salt=SALT)


def encode(secret_key, *, sort, value, last_id):
    """Return a cursor that resumes a listing after the row (`value`, `last_id`)."""
    return _serializer(secret_key).dumps({"sort": sort, "value": value, "id": last_id})


def decode(secret_key, cursor, *, sort):
    """Return the keyset a cursor holds; raise InvalidRequest if tampered or for another sort."""
    data = None
    # itsdangerous' base64 decoding forgives '+', '/', '=' and stray characters, so
    # check the exact alphabet first: an edited cursor is refused, not "the same".
    if CURSOR_FORM.fullmatch(cursor):
        try:
            data = _serializer(secret_key).loads(cursor)
        except (BadData, UnicodeError, ValueError):
            data = None
    if not _valid(data, sort):
        raise InvalidRequest(
            "The cursor is malformed or was not issued for this listing.", code="invalid_cursor"
        )
    return {"value": data["value"], "id": data["id"]}


def _valid(data, sort):
    return (
        isinstance(data, dict)
        and data.get("sort") == sort
        and isinstance(data.get("id"), int)
        and isinstance(data.get("value"), (int, str))
    )
