"""Who may call /scim/v2: an admin's API key with the `scim` scope."""

from flask import g

from app.http.bearer_auth import api_key_scope_required, current_user

# The API keys' own check, run before every SCIM request (see api_key_scope_required).
_require_scim_key = api_key_scope_required("scim")(lambda: None)


def authenticate_scim_caller():
    """Before every SCIM request: set `g.scim_owner` to the key's owner, or refuse.

    401 without a credential, with an access token or an unknown, revoked or expired
    key, or a key of an inactive or deleted user; 403 for a key without the scope or
    whose owner is no longer an admin.
    """
    _require_scim_key()
    g.scim_owner = current_user()
