"""Who may call /scim/v2: an admin's API key with the `scim` scope."""

from flask import g

from app.http.bearer_auth import _bearer_token
from app.services import authentication as auth_service
from app.services.domain_errors import AuthenticationFailed, PermissionDenied


def authenticate_scim_caller():
    """Before every SCIM request: set `g.scim_owner` to the key's owner, or refuse.

    401 without a usable credential, 403 for a key without the scope or whose owner is
    no longer an admin.
    """
    token = _bearer_token()
    if token is None:
        raise AuthenticationFailed("Authentication is required.", code="unauthorized")
    owner = _key_owner(token)
    if not owner.is_admin:
        raise PermissionDenied("SCIM needs an admin's key.")
    g.current_user = g.scim_owner = owner


def _key_owner(token):
    # Until API keys exist: an admin's access token (replaced by the key check).
    user, _ = auth_service.authenticate(token)
    return user
