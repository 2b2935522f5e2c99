"""Schemas of the mail flows: forgot/reset password, email verification."""

from marshmallow import Schema, fields, validate

from app.schemas.fields import EmailLookup, Password, Text
from app.security.password_policy import MAX_LENGTH as MAX_PASSWORD_LENGTH

TOKEN_LENGTH = validate.Length(min=1, max=1024)
TOKEN_FORM = {"pattern": "^[A-Za-z0-9_.-]+$", "description": "The token from the mail."}


class ForgotPasswordSchema(Schema):
    """The address to mail a reset link to, if it has an account."""

    email = EmailLookup(required=True)


class ResetPasswordSchema(Schema):
    """A mailed reset token and the new password (the password policy applies)."""

    token = Text(required=True, validate=TOKEN_LENGTH, metadata=TOKEN_FORM)
    password = Password(
        required=True, load_only=True, validate=validate.Length(max=MAX_PASSWORD_LENGTH)
    )


class VerifyEmailSchema(Schema):
    """A mailed verification token."""

    token = Text(required=True, validate=TOKEN_LENGTH, metadata=TOKEN_FORM)


class AcceptedSchema(Schema):
    """The request was taken; any mail goes out in the background."""

    detail = fields.String()
