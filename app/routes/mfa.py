"""Second factors: TOTP, recovery codes, MFA status and reset, POST /login/mfa."""

from app.http.bearer_auth import current_user
from app.http.json_body import Blueprint
from app.http.rate_limits import auth_rate_limit
from app.http.recent_auth import recent_auth_required, session_required
from app.schemas.login import TokenPairSchema
from app.schemas.mfa import (
    CodeSchema,
    MfaLoginSchema,
    MfaStatusSchema,
    RecoveryCodesSchema,
    TotpConfirmedSchema,
    TotpEnrolmentSchema,
)
from app.services import mfa_login, second_factors

blp = Blueprint("mfa", __name__, description="Second factors: TOTP and recovery codes.")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@blp.get("/users/<ref>/mfa")
@blp.response(200, MfaStatusSchema)
@session_required
def mfa_status(ref):
    """Show which second factors a user has (yourself, or anyone if you are an admin)."""
    return second_factors.status(current_user(), ref)


@blp.delete("/users/<ref>/mfa")
@blp.response(204)
@session_required
def reset_mfa(ref):
    """Admin: remove every factor and recovery code of another user; its sessions end."""
    second_factors.reset(current_user(), ref)


@blp.post("/users/me/mfa/totp")
@blp.response(201, TotpEnrolmentSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@recent_auth_required
def start_totp():
    """Start TOTP enrolment (recent login): a pending secret; a new call replaces it."""
    return second_factors.start_totp(current_user()), NO_STORE


@blp.post("/users/me/mfa/totp/confirm")
@blp.response(200, TotpConfirmedSchema)
@blp.alt_response(403, response="FORBIDDEN")
@session_required
@blp.arguments(CodeSchema)
def confirm_totp(body):
    """Confirm the pending secret with a code; recovery codes if this enabled MFA."""
    return {"recovery_codes": second_factors.confirm_totp(current_user(), body["code"])}, NO_STORE


@blp.delete("/users/me/mfa/totp")
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@recent_auth_required
def remove_totp():
    """Remove your TOTP authenticator (recent login)."""
    second_factors.remove_totp(current_user())


@blp.post("/users/me/mfa/recovery-codes")
@blp.response(201, RecoveryCodesSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@recent_auth_required
def regenerate_recovery_codes():
    """A fresh set of 10 recovery codes (recent login); the old set dies."""
    codes = second_factors.regenerate_recovery_codes(current_user())
    return {"recovery_codes": codes}, NO_STORE


@blp.post("/login/mfa")
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@blp.arguments(MfaLoginSchema)
def login_mfa(body):
    """Prove the second factor of a password login; returns the token pair.

    A wrong code is 401 `invalid_credentials` and a failed login of the account; after
    5 wrong codes the mfa_token is dead (401 `invalid_token`).
    """
    pair = mfa_login.finish_login(
        body["mfa_token"], code=body.get("code"), passkey=body.get("passkey")
    )
    return pair, NO_STORE
