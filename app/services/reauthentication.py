"""Recent authentication: proving the credentials again inside a live session."""

import logging
from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import login_sessions as sessions_repo
from app.services import audit, login_throttle
from app.services.authentication import bad_credentials, password_matches
from app.services.domain_errors import PermissionDenied


def require_recent(session_id):
    """Raise 403 reauthentication_required unless the session proved itself recently."""
    if session_id is None:
        raise PermissionDenied("This route needs a login session.")
    authentication = sessions_repo.get_authentication(get_db(), session_id)
    max_age = timedelta(seconds=current_app.config["REAUTH_MAX_AGE"])
    if (authentication is None or authentication.authenticated_at is None
            or utcnow() - authentication.authenticated_at > max_age):
        raise PermissionDenied("This change needs a recent login; POST /reauth first.",
                               code="reauthentication_required")


def reauthenticate(user, session_id, *, password=None, code=None, passkey=None):
    """Check the caller's credentials again; on success the session is recent again.

    A wrong proof counts as a failed login of the account.
    """
    conn = get_db()
    now = utcnow()
    account = user.email.lower()
    block_level = login_throttle.begin_attempt(conn, account, now, subject=user)
    if not _proven(conn, user, password=password, code=code, passkey=passkey, now=now):
        login_throttle.confirm_failure(block_level, subject=user)
        audit.record("reauth.failed", actor=user, subject=user, level=logging.WARNING)
        raise bad_credentials()
    with transaction(conn):
        login_throttle.reset(conn, account)
        sessions_repo.mark_authenticated(conn, session_id=session_id, now=now)
        audit.record("reauth.succeeded", actor=user, subject=user)


def _proven(conn, user, *, password, code, passkey, now):
    """Check the password (when sent); for now the password is the only factor."""
    if password is None:
        return False
    return password_matches(user, password)
