"""Schemas of logging in and of the token pair it returns."""

from marshmallow import Schema, fields, validate

from app.schemas.fields import StrictBoolean, Text
from app.schemas.users import UserSchema
from app.security.password_policy import MAX_LENGTH as MAX_PASSWORD_LENGTH


class LoginSchema(Schema):
    """Credentials; the email is compared case-insensitively."""

    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Text(
        required=True, load_only=True, validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH)
    )


class TokenPairSchema(Schema):
    """An access token (JWT) with the refresh token of the same session."""

    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})
    user = fields.Nested(UserSchema, required=True)


class RefreshSchema(Schema):
    """The refresh token of a pair; it can be spent once."""

    refresh_token = Text(
        required=True,
        validate=validate.Length(min=1, max=512),
        metadata={"pattern": "^[A-Za-z0-9_-]+$"},
    )


class LogoutSchema(Schema):
    """`all: true` ends every session of the caller, not just this one."""

    all = StrictBoolean(load_default=False)
