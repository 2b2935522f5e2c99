"""Finding the caller from the `Authorization: Bearer` header: an access token or an API key.

What an API key may do is decided here, in one place, for every route: `route_scope`
names the scope a route needs from its path and method, and routes that manage
credentials or sessions refuse keys whatever their scopes.
"""

import functools

from flask import g, request
from flask_smorest import Blueprint

from app.security.api_keys import looks_like_api_key
from app.services import api_keys as api_keys_service
from app.services import authentication as auth_service
from app.services.domain_errors import AuthenticationFailed, PermissionDenied

BEARER_SECURITY = [{"bearerAuth": []}]
OPTIONAL_BEARER_SECURITY = [{}, {"bearerAuth": []}]
API_KEY_SECURITY = [{"apiKey": []}]
# A route with one of these path segments manages credentials or sessions: never with a key.
CREDENTIAL_SEGMENTS = frozenset(
    ("reauth", "logout", "mfa", "passkeys", "passkey", "api-keys", "sessions", "login", "token")
)
# Path roots whose routes keys reach with `users:read` (GET, HEAD) or `users:write`.
USER_ROOTS = frozenset(("users", "user", "search"))
READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
CREDENTIALS = "credentials"  # what route_scope answers for a route that refuses keys


def route_scope(path, method):
    """The scope an API key needs for `method` on a route (Flask or OpenAPI path),
    CREDENTIALS for a route no key may use, or None for one no scope grants."""
    segments = [segment for segment in path.split("/") if segment]
    if CREDENTIAL_SEGMENTS.intersection(segments):
        return CREDENTIALS
    root = segments[0] if segments else ""
    if root == "scim":
        return "scim"
    if root in USER_ROOTS:
        return "users:read" if method.upper() in READ_METHODS else "users:write"
    return None


def _bearer_token():
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationFailed(
            "The Authorization header must be 'Bearer <token>'.", code="unauthorized"
        )
    return token


def current_user():
    """Return the authenticated caller of this request, or None."""
    return g.get("current_user")


def current_session_id():
    """Return the login session of the caller's access token, or None."""
    return g.get("current_session_id")


def current_api_key():
    """Return the API key this request authenticated with, or None (an access token)."""
    return g.get("current_api_key")


def _identify(token):
    """Set the caller from a token: an API key (`usk_...`) or an access token."""
    if looks_like_api_key(token):
        g.current_user, g.current_api_key = api_keys_service.authenticate(token)
        g.current_session_id = None
    else:
        g.current_user, g.current_session_id = auth_service.authenticate(token)
        g.current_api_key = None


def require_scope(scope):
    """Refuse this request if it came with an API key that `scope` does not cover."""
    api_key = current_api_key()
    if api_key is None:
        return
    if scope == CREDENTIALS:
        raise PermissionDenied("An API key cannot manage credentials or sessions; log in instead.")
    if scope is None or not api_keys_service.grants(api_key, scope):
        raise PermissionDenied(
            f"This API key lacks the scope {scope or 'for this route'}.", code="insufficient_scope"
        )
    if scope in api_keys_service.ADMIN_ONLY_SCOPES and not current_user().is_admin:
        raise PermissionDenied("Only an admin's API key may use this route.")


def _authenticated(view, *, required):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _bearer_token()
        if token is None and required:
            raise AuthenticationFailed("Authentication is required.", code="unauthorized")
        if token is None:
            g.current_user = g.current_session_id = g.current_api_key = None
        else:
            _identify(token)
            require_scope(route_scope(request.url_rule.rule, request.method))
        return view(*args, **kwargs)

    security = BEARER_SECURITY if required else OPTIONAL_BEARER_SECURITY
    return Blueprint.doc(security=security)(wrapper)


def login_required(view):
    """Let the view run only for a caller with a valid access token or API key."""
    return _authenticated(view, required=True)


def login_optional(view):
    """Identify the caller when a token is sent; anonymous callers pass too."""
    return _authenticated(view, required=False)


def api_key_scope_required(scope):
    """Let the view run only for an API key with `scope` (SCIM: `scim`, admins' keys).

    No credential is 401 `unauthorized`, an access token or a bad key 401
    `invalid_token`, a key without the scope 403 `insufficient_scope`, and a `scim`
    key whose owner is no longer an admin 403 `forbidden`.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = _bearer_token()
            if token is None:
                raise AuthenticationFailed("An API key is required.", code="unauthorized")
            if not looks_like_api_key(token):
                raise AuthenticationFailed("Only an API key is accepted here.")
            _identify(token)
            require_scope(scope)
            return view(*args, **kwargs)

        return Blueprint.doc(security=API_KEY_SECURITY)(wrapper)

    return decorator
