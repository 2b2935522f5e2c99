"""/login, /token/refresh, /logout: sessions and their token pairs."""

from app.http.bearer_auth import current_session_id, current_user, login_required
from app.http.json_body import Blueprint
from app.http.rate_limits import auth_rate_limit
from app.schemas.login import LoginSchema, LogoutSchema, RefreshSchema, TokenPairSchema
from app.schemas.mfa import LoginResultSchema
from app.services import authentication as auth_service
from app.services import login_sessions as sessions_service

blp = Blueprint("auth", __name__, description="Logging in and out; token pairs.")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@blp.post("/login")
@blp.response(200, LoginResultSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@blp.arguments(LoginSchema)
def login(credentials):
    """Log in with email and password; returns an access and a refresh token.

    For a user with MFA enabled it returns no tokens but an MfaChallenge: send its
    `mfa_token` with a code or a passkey to POST /login/mfa.
    """
    pair = auth_service.login(credentials["email"], credentials["password"])
    return pair, NO_STORE


@blp.post("/token/refresh")
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@blp.arguments(RefreshSchema)
def refresh(body):
    """Spend a refresh token for a new pair; a token presented twice ends its session."""
    return sessions_service.refresh(body["refresh_token"]), NO_STORE


@blp.post("/logout")
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@login_required
@blp.arguments(LogoutSchema, required=False)
def logout(body):
    """End this session (its tokens stop working at once), or all with `{"all": true}`."""
    sessions_service.logout(current_user(), current_session_id(), everywhere=body.get("all", False))
