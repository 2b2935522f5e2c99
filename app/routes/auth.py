"""/login: exchanging credentials for a token pair."""

from app.http.json_body import Blueprint
from app.schemas.auth import LoginSchema, TokenPairSchema
from app.services import auth as auth_service

blp = Blueprint("auth", __name__, description="Logging in and out; token pairs.")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@blp.post("/login")
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.arguments(LoginSchema)
def login(credentials):
    """Log in with email and password; returns an access and a refresh token."""
    pair = auth_service.login(credentials["email"], credentials["password"])
    return pair, NO_STORE
