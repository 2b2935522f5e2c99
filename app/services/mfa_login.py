"""The second step of a password login for a user with MFA (POST /login/mfa)."""

import logging

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import second_factors as factors_repo
from app.repositories import users as users_repo
from app.security.email_address import email_key
from app.services import audit, login_sessions, login_throttle, passkeys, second_factors
from app.services.domain_errors import AuthenticationFailed, PermissionDenied


def finish_login(mfa_token, *, code=None, passkey=None):
    """Prove the second factor of a password login; return the token pair.

    A wrong code counts against the mfa_token (dead after MAX_CODE_FAILURES) and,
    as a failed login, against the account's back-off.
    """
    conn = get_db()
    now = utcnow()
    record = second_factors.live_mfa_token(conn, mfa_token, now)
    user = users_repo.get_by_id(conn, record.user_id) if record else None
    if user is None or user.token_version != record.user_version:
        raise _dead_token()
    account = email_key(user.email)
    block_level = login_throttle.begin_attempt(conn, account, now, subject=user)
    with transaction(conn):
        method = _proven_factor(conn, user, now, code=code, passkey=passkey)
        if method is None:
            factors_repo.count_mfa_token_failure(conn, record.token_hash)
        else:
            return _complete(conn, user, record, method, account, now)
    login_throttle.confirm_failure(block_level, subject=user)
    audit.record("mfa.failed", subject=user, level=logging.WARNING, step="login")
    raise AuthenticationFailed("The second factor is wrong.", code="invalid_credentials")


def _proven_factor(conn, user, now, *, code, passkey):
    """Return the amr of the factor proven ("otp" or "hwk"), or None."""
    if code is not None:
        return "otp" if second_factors.verify_code(conn, user, code, now) else None
    if passkeys.verify_assertion(conn, passkey, now, purpose="mfa", user_id=user.id):
        return "hwk"
    return None


def _complete(conn, user, record, method, account, now):
    if not factors_repo.spend_mfa_token(
        conn, token_hash=record.token_hash, now=now, max_failures=second_factors.MAX_CODE_FAILURES
    ):
        raise _dead_token()
    current = users_repo.get_by_id(conn, user.id)
    if current is None or current.token_version != record.user_version:
        raise _dead_token()
    if not current.is_active:
        raise PermissionDenied("This account is disabled.", code="account_disabled")
    login_throttle.reset(conn, account)
    pair = login_sessions.open_session(conn, current, now, amr=("pwd", method, "mfa"))
    audit.record("login.succeeded", actor=current, subject=current, method=method)
    return pair


def _dead_token():
    return AuthenticationFailed("The mfa_token is invalid, spent or expired; log in again.")
