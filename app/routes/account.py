"""/password/forgot, /password/reset, /email/verify: the flows that run over mail."""

from app.http.json_body import Blueprint
from app.http.rate_limits import auth_rate_limit
from app.schemas.account import (
    AcceptedSchema,
    ForgotPasswordSchema,
    ResetPasswordSchema,
    VerifyEmailSchema,
)
from app.services import account_mail

blp = Blueprint("account", __name__, description="Password reset and email verification.")
FORGOT_ANSWER = {"detail": "If an account has this address, a reset link is on its way."}


@blp.post("/password/forgot")
@blp.response(202, AcceptedSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@blp.arguments(ForgotPasswordSchema)
def forgot_password(body):
    """Mail a single-use reset link, valid for an hour; the answer is always the same."""
    account_mail.request_password_reset(body["email"])
    return FORGOT_ANSWER


@blp.post("/password/reset")
@blp.response(204)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.arguments(ResetPasswordSchema)
def reset_password(body):
    """Set a new password with a mailed token; every session of the account ends."""
    account_mail.reset_password(body["token"], body["password"])


@blp.post("/email/verify")
@blp.response(204)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.arguments(VerifyEmailSchema)
def verify_email(body):
    """Confirm an address with the token mailed to it."""
    account_mail.verify_email(body["token"])
