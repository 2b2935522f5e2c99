"""Schema of proving the credentials again (POST /reauth)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.schemas.fields import Text
from app.security.password_policy import MAX_LENGTH as MAX_PASSWORD_LENGTH

MAX_CODE_LENGTH = 64


class ReauthSchema(Schema):
    """The password, or with MFA a second factor: a TOTP or recovery code, or a passkey."""

    password = Text(load_only=True, validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))
    code = Text(
        load_only=True,
        validate=validate.Length(min=1, max=MAX_CODE_LENGTH),
        metadata={"description": "A TOTP code or a recovery code."},
    )
    passkey = fields.Dict(
        load_only=True,
        metadata={
            "description": "An AuthenticationResponseJSON answering the request options of "
            "POST /passkeys/login-options sent with this access token."
        },
    )

    class Meta:
        json_schema = {"minProperties": 1}

    @validates_schema
    def _one_proof(self, data, **kwargs):
        if not data:
            raise ValidationError("Send password, code or passkey.", "_schema")
