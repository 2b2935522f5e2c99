"""Routes that need a login session, and routes that need a *recent* one.

A caller authenticated by anything but a session's access token (an API key) has
no session id: such routes refuse it with 403 `forbidden`.
"""

import functools

from app.http.bearer_auth import current_session_id, login_required
from app.services import reauthentication
from app.services.domain_errors import PermissionDenied


def session_required(view):
    """Let the view run only for a caller with a login session's access token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_session_id() is None:
            raise PermissionDenied("This route needs a login session's access token.")
        return view(*args, **kwargs)

    return login_required(wrapper)


def recent_auth_required(view):
    """Let the view run only when the caller's session proved its credentials recently.

    Otherwise 403 `reauthentication_required` (REAUTH_MAX_AGE after login or /reauth).
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        reauthentication.require_recent(current_session_id())
        return view(*args, **kwargs)

    return session_required(wrapper)
