"""Schemas of passkeys (WebAuthn credentials) and their ceremonies."""

from marshmallow import Schema, fields, validate

from app.schemas.fields import Rfc3339DateTime, Text
from app.schemas.mfa import TOKEN_PATTERN


class PublicKeyOptionsSchema(Schema):
    """WebAuthn options for navigator.credentials.create() or .get(), in the JSON form."""

    publicKey = fields.Dict(
        required=True,
        metadata={  # noqa: N815 (WebAuthn's name)
            "description": "PublicKeyCredentialCreationOptionsJSON or "
            "PublicKeyCredentialRequestOptionsJSON."
        },
    )


class PasskeyCreateSchema(Schema):
    """A RegistrationResponseJSON answering POST /users/me/passkeys/options."""

    credential = fields.Dict(required=True, load_only=True)
    name = Text(trim=True, load_only=True, validate=validate.Length(min=1, max=100))


class PasskeySchema(Schema):
    """A passkey of a user (its id is the WebAuthn credential id, base64url)."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    created_at = Rfc3339DateTime(required=True)
    last_used_at = Rfc3339DateTime(required=True, allow_none=True)


class PasskeyCreatedSchema(PasskeySchema):
    """The new passkey; with `recovery_codes` when it made MFA enabled (shown once)."""

    recovery_codes = fields.List(fields.String())


class PasskeyListSchema(Schema):
    items = fields.List(fields.Nested(PasskeySchema), required=True)


class LoginOptionsSchema(Schema):
    """Empty for a passwordless login, or the mfa_token of a password login."""

    mfa_token = Text(validate=validate.Length(min=1, max=512), metadata={"pattern": TOKEN_PATTERN})


class PasskeyLoginSchema(Schema):
    """An AuthenticationResponseJSON answering discoverable request options."""

    credential = fields.Dict(required=True, load_only=True)
