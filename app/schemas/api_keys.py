"""Schemas of API keys: creating one, showing one (the key itself only at creation)."""

from marshmallow import Schema, fields, validate

from app.models import API_KEY_SCOPES as SCOPES
from app.schemas.fields import Rfc3339DateTime, StrictInteger, Text
from app.security.api_keys import PATTERN as KEY_PATTERN

SCOPES_DESCRIPTION = (
    "`users:read`: the GET routes of /users; `users:write`: POST, PUT, PATCH and DELETE "
    "on /users (includes `users:read`); `scim`: the SCIM routes (admins' keys only)."
)


class ApiKeyCreateSchema(Schema):
    """A name to recognise the key by, what it may do and, optionally, when it expires."""

    name = Text(
        required=True,
        trim=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Trimmed; 1 to 100 characters."},
    )
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
        metadata={"description": SCOPES_DESCRIPTION, "uniqueItems": True},
    )
    expires_in_days = StrictInteger(
        strict=True,
        validate=validate.Range(min=1, max=365),
        metadata={"description": "1 to 365; absent: the key does not expire."},
    )


class ApiKeySchema(Schema):
    """An API key as lists show it: never the key itself."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    prefix = fields.String(
        dump_only=True,
        metadata={"description": "The key's first 12 characters, to recognise it by."},
    )
    scopes = fields.List(fields.String(metadata={"enum": list(SCOPES)}), dump_only=True)
    created_at = Rfc3339DateTime(dump_only=True)
    expires_at = Rfc3339DateTime(dump_only=True, allow_none=True)
    last_used_at = Rfc3339DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Updated at most about once a minute."},
    )


class NewApiKeySchema(ApiKeySchema):
    """A key just created, with its secret `key`: shown this once, never again."""

    key = fields.String(
        dump_only=True,
        metadata={"pattern": KEY_PATTERN, "description": "Send as `Authorization: Bearer <key>`."},
    )


class ApiKeyListSchema(Schema):
    """A user's keys that were not revoked, newest first."""

    items = fields.List(fields.Nested(ApiKeySchema), dump_only=True)
