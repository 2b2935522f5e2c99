"""Recent authentication: proving the credentials again inside a live session."""

import logging
from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import login_sessions as sessions_repo
from app.security.email_address import email_key
from app.services import audit, login_throttle, passkeys, second_factors
from app.services.authentication import bad_credentials, password_matches
from app.services.domain_errors import PermissionDenied


def require_recent(session_id):
    """Raise 403 reauthentication_required unless the session proved itself recently."""
    if session_id is None:
        raise PermissionDenied("This route needs a login session.")
    authentication = sessions_repo.get_authentication(get_db(), session_id)
    max_age = timedelta(seconds=current_app.config["REAUTH_MAX_AGE"])
    if (
        authentication is None
        or authentication.authenticated_at is None
        or utcnow() - authentication.authenticated_at > max_age
    ):
        raise PermissionDenied(
            "This change needs a recent login; POST /reauth first.",
            code="reauthentication_required",
        )


def reauthenticate(user, session_id, *, password=None, code=None, passkey=None):
    """Check the caller's credentials again; on success the session is recent again.

    With MFA enabled the second factor must be proven (a password sent beside it is
    checked too). A wrong proof counts as a failed login of the account.
    """
    conn = get_db()
    now = utcnow()
    account = email_key(user.email)
    block_level = login_throttle.begin_attempt(conn, account, now, subject=user)
    proven = password is None or password_matches(user, password)
    with transaction(conn):
        proven = proven and _factor_proven(
            conn, user, session_id, now, password=password, code=code, passkey=passkey
        )
        if proven:
            login_throttle.reset(conn, account)
            sessions_repo.mark_authenticated(conn, session_id=session_id, now=now)
            audit.record("reauth.succeeded", actor=user, subject=user)
    if not proven:
        login_throttle.confirm_failure(block_level, subject=user)
        audit.record("reauth.failed", actor=user, subject=user, level=logging.WARNING)
        raise bad_credentials()


def _factor_proven(conn, user, session_id, now, *, password, code, passkey):
    """Without MFA the (already checked) password suffices; with it, the second factor."""
    if not second_factors.current_status(conn, user.id).enabled:
        return password is not None
    if code is not None:
        return second_factors.verify_code(conn, user, code, now)
    if passkey is not None:
        return (
            passkeys.verify_assertion(
                conn, passkey, now, purpose="reauth", user_id=user.id, session_id=session_id
            )
            is not None
        )
    return False
