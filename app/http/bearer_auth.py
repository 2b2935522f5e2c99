"""Finding the caller from the `Authorization: Bearer` header."""

import functools

from flask import g, request
from flask_smorest import Blueprint

from app.services import authentication as auth_service
from app.services.domain_errors import AuthenticationFailed

BEARER_SECURITY = [{"bearerAuth": []}]
OPTIONAL_BEARER_SECURITY = [{}, {"bearerAuth": []}]


def _bearer_token():
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationFailed("The Authorization header must be 'Bearer <token>'.",
                                   code="unauthorized")
    return token


def current_user():
    """Return the authenticated caller of this request, or None."""
    return g.get("current_user")


def current_session_id():
    """Return the login session of the caller's access token, or None."""
    return g.get("current_session_id")


def _authenticated(view, *, required):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _bearer_token()
        if token is None and required:
            raise AuthenticationFailed("Authentication is required.", code="unauthorized")
        g.current_user, g.current_session_id = (
            auth_service.authenticate(token) if token else (None, None))
        return view(*args, **kwargs)

    security = BEARER_SECURITY if required else OPTIONAL_BEARER_SECURITY
    return Blueprint.doc(security=security)(wrapper)


def login_required(view):
    """Let the view run only for a caller with a valid access token."""
    return _authenticated(view, required=True)


def login_optional(view):
    """Identify the caller when a token is sent; anonymous callers pass too."""
    return _authenticated(view, required=False)
