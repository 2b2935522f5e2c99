"""Schemas of second factors: TOTP enrolment, recovery codes, the MFA login step."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.schemas.fields import Text
from app.schemas.login import TokenPairSchema
from app.schemas.reauth import MAX_CODE_LENGTH

METHODS = ["totp", "passkey", "recovery_code"]
TOKEN_PATTERN = "^[A-Za-z0-9_-]+$"


def code_field(**kwargs):
    """A TOTP code (6 digits) or a recovery code (`-` and case ignored)."""
    return Text(
        load_only=True,
        validate=validate.Length(min=1, max=MAX_CODE_LENGTH),
        metadata={"description": "A TOTP code (6 digits) or a recovery code."},
        **kwargs,
    )


def assertion_field(**kwargs):
    """An AuthenticationResponseJSON (WebAuthn), answering options we issued."""
    return fields.Dict(
        load_only=True,
        metadata={
            "description": "An AuthenticationResponseJSON answering the request options of "
            "POST /passkeys/login-options."
        },
        **kwargs,
    )


class MfaStatusSchema(Schema):
    """Which second factors a user has; MFA is enabled with at least one."""

    enabled = fields.Boolean(required=True)
    totp = fields.Boolean(required=True)
    passkeys = fields.Integer(required=True)
    recovery_codes_left = fields.Integer(required=True)


class TotpEnrolmentSchema(Schema):
    """A pending TOTP secret: show it (or the URI as a QR code) to an authenticator app."""

    secret = fields.String(required=True, metadata={"description": "Base32."})
    otpauth_uri = fields.String(required=True)


class CodeSchema(Schema):
    """A code from the authenticator app."""

    code = code_field(required=True)


class RecoveryCodesSchema(Schema):
    """Recovery codes, shown this once."""

    recovery_codes = fields.List(fields.String(), required=True)


class TotpConfirmedSchema(Schema):
    """Recovery codes when confirming made MFA enabled, else null."""

    recovery_codes = fields.List(fields.String(), required=True, allow_none=True)


class MfaChallengeSchema(Schema):
    """A right password of a user with MFA: prove a second factor at POST /login/mfa."""

    mfa_required = fields.Boolean(required=True, metadata={"enum": [True]})
    mfa_token = fields.String(required=True)
    methods = fields.List(fields.String(validate=validate.OneOf(METHODS)), required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})


class LoginResultSchema(Schema):
    """The token pair, or for a user with MFA enabled the MFA challenge."""

    class Meta:
        # No properties of its own: the alternatives say what the body holds.
        json_schema = {
            "oneOf": [
                {"$ref": "#/components/schemas/TokenPair"},
                {"$ref": "#/components/schemas/MfaChallenge"},
            ],
            "additionalProperties": True,
        }

    def dump(self, obj, *, many=None):
        """Dump with the schema of whichever answer `obj` is."""
        if getattr(obj, "mfa_required", False):
            return MfaChallengeSchema().dump(obj)
        return TokenPairSchema().dump(obj)


class MfaLoginSchema(Schema):
    """The mfa_token of POST /login with a code, or with a passkey assertion."""

    mfa_token = Text(
        required=True, validate=validate.Length(min=1, max=512), metadata={"pattern": TOKEN_PATTERN}
    )
    code = code_field()
    passkey = assertion_field()

    class Meta:
        json_schema = {"oneOf": [{"required": ["code"]}, {"required": ["passkey"]}]}

    @validates_schema
    def _one_factor(self, data, **kwargs):
        if ("code" in data) == ("passkey" in data):
            raise ValidationError("Send either code or passkey.", "_schema")
