"""Passkeys (WebAuthn): adding, listing, removing, and logging in with one."""

from app.http.bearer_auth import current_session_id, current_user, login_optional
from app.http.json_body import Blueprint
from app.http.rate_limits import auth_rate_limit
from app.http.recent_auth import recent_auth_required, session_required
from app.schemas.login import TokenPairSchema
from app.schemas.passkeys import (
    LoginOptionsSchema,
    PasskeyCreatedSchema,
    PasskeyCreateSchema,
    PasskeyListSchema,
    PasskeyLoginSchema,
    PublicKeyOptionsSchema,
)
from app.services import passkeys

blp = Blueprint("passkeys", __name__, description="Passkeys (WebAuthn credentials).")
MIN_CREDENTIAL_ID_CHARS = 22
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@blp.post("/users/me/passkeys/options")
@blp.response(200, PublicKeyOptionsSchema)
@blp.alt_response(403, response="FORBIDDEN")
@recent_auth_required
def registration_options():
    """Creation options for a new passkey (recent login); your passkeys are excluded."""
    return {"publicKey": passkeys.registration_options(current_user())}, NO_STORE


@blp.post("/users/me/passkeys")
@blp.response(201, PasskeyCreatedSchema)
@blp.alt_response(403, response="FORBIDDEN")
@session_required
@blp.arguments(PasskeyCreateSchema)
def add_passkey(body):
    """Add a passkey from a RegistrationResponseJSON; recovery codes if this enabled MFA."""
    passkey, codes = passkeys.register(current_user(), body["credential"], body.get("name"))
    result = {
        "id": passkey.id,
        "name": passkey.name,
        "created_at": passkey.created_at,
        "last_used_at": passkey.last_used_at,
    }
    if codes is not None:
        result["recovery_codes"] = codes
    return result, {"Location": f"/users/me/passkeys/{passkey.id}", **NO_STORE}


@blp.get("/users/<ref>/passkeys")
@blp.response(200, PasskeyListSchema)
@session_required
def list_passkeys(ref):
    """List a user's passkeys (yours, or anyone's if you are an admin)."""
    return {"items": passkeys.list_passkeys(current_user(), ref)}


# A credential id has at least 16 bytes (22 base64url characters): `options` is not one.
@blp.delete(f"/users/me/passkeys/<string(minlength={MIN_CREDENTIAL_ID_CHARS}):passkey_id>")
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@recent_auth_required
def remove_passkey(passkey_id):
    """Remove one of your passkeys (recent login)."""
    passkeys.remove(current_user(), passkey_id)


@blp.post("/passkeys/login-options")
@blp.response(200, PublicKeyOptionsSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@login_optional
@blp.arguments(LoginOptionsSchema, required=False)
def login_options(body):
    """Request options: discoverable for a passwordless login; with an `mfa_token` (or an
    access token, for POST /reauth) they list that user's passkeys in allowCredentials."""
    options = passkeys.request_options(
        mfa_token=body.get("mfa_token"), user=current_user(), session_id=current_session_id()
    )
    return {"publicKey": options}, NO_STORE


@blp.post("/login/passkey")
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@auth_rate_limit
@blp.arguments(PasskeyLoginSchema)
def login_passkey(body):
    """Passwordless login with a discoverable passkey; returns the token pair."""
    return passkeys.login(body["credential"]), NO_STORE
