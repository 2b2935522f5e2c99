"""Schemas of login sessions as their owner sees them."""

from marshmallow import Schema, fields

from app.schemas.fields import Rfc3339DateTime


class SessionSchema(Schema):
    """A live login session; `id` is the `sid` of its access tokens."""

    id = fields.String(dump_only=True)
    created_at = Rfc3339DateTime(dump_only=True)
    last_used_at = Rfc3339DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The last login or refresh of the session."},
    )
    expires_at = Rfc3339DateTime(
        dump_only=True, metadata={"description": "When the session's refresh token expires."}
    )
    ip = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The client's address at login (TRUSTED_PROXIES applies)."},
    )
    user_agent = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The client's User-Agent at login, cut to 256 characters."},
    )
    amr = fields.List(
        fields.String(),
        dump_only=True,
        metadata={"description": 'How the session authenticated (RFC 8176), e.g. `["pwd"]`.'},
    )
    current = fields.Boolean(
        dump_only=True, metadata={"description": "Whether this is the caller's own session."}
    )


class SessionListSchema(Schema):
    """The live sessions of a user, newest first."""

    items = fields.List(fields.Nested(SessionSchema), required=True)
