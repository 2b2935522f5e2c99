"""Logging in and recognising the caller of a request."""

import logging
import random

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import users as users_repo
from app.security import tokens
from app.security.email_address import email_key
from app.security.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from app.services import audit, login_sessions, login_throttle, second_factors
from app.services.domain_errors import AuthenticationFailed, InvalidInput, PermissionDenied
from app.services.password_rules import hash_method


def login(email, password):
    """Check credentials and open a new session; return its token pair.

    For a user with MFA enabled, return an MfaChallenge instead (no session yet).
    """
    conn = get_db()
    now = utcnow()
    account = email_key(email)
    user = users_repo.get_by_email(conn, email)
    block_level = login_throttle.begin_attempt(conn, account, now, subject=user)
    if not password_matches(user, password):
        login_throttle.confirm_failure(block_level, subject=user)
        audit.record(
            "login.failed",
            subject=user,
            level=logging.WARNING,
            reason="unknown_email" if user is None else "wrong_password",
        )
        raise bad_credentials()
    try:
        pair = _open_session(conn, user, account, password, now)
    except PermissionDenied as refusal:
        # Recorded after the rollback, on its own: the refusal changes nothing else.
        audit.record(
            "login.failed",
            subject=refusal.subject,
            level=logging.WARNING,
            reason="account_disabled",
        )
        raise
    if random.random() < current_app.config["SESSION_PURGE_PROBABILITY"]:
        login_sessions.purge_expired()
    return pair


def _open_session(conn, user, account, password, now):
    """Open the session under the write lock; return its token pair."""
    with transaction(conn):
        user = _unchanged_since_check(conn, user)
        user = _rehash_if_needed(conn, user, password, now)
        mfa_status = second_factors.current_status(conn, user.id)
        if mfa_status.enabled:
            # The password alone is not a login: the back-off waits for the second factor.
            login_throttle.withdraw(conn, account, now)
            return second_factors.start_login(conn, user, mfa_status, now)
        login_throttle.reset(conn, account)
        pair = login_sessions.open_session(conn, user, now)
        audit.record("login.succeeded", actor=user, subject=user)
    return pair


def authenticate(access_token):
    """Return (user, session id) of a live access token, or raise AuthenticationFailed."""
    try:
        claims = tokens.read_access_token(login_sessions.token_settings(), access_token)
    except tokens.InvalidAccessToken:
        raise AuthenticationFailed("The access token is invalid or has expired.") from None
    user = users_repo.get_by_session(get_db(), user_id=claims["sub"], session_id=claims["sid"])
    if user is None or not user.is_active:
        raise AuthenticationFailed("The access token has been revoked.")
    return user, claims["sid"]


def _unchanged_since_check(conn, user):
    """Re-read the user under the write lock: a password changed meanwhile wins."""
    current = users_repo.get_by_id(conn, user.id)
    if current is None or current.password_hash != user.password_hash:
        raise bad_credentials()
    if not current.is_active:
        raise PermissionDenied(
            "This account is disabled.", code="account_disabled", subject=current.id
        )
    return current


def bad_credentials():
    """The error of a wrong email, password or second factor."""
    return AuthenticationFailed("The email or password is wrong.", code="invalid_credentials")


def password_matches(user, password):
    """Check the password; for an unknown user spend the same time on a dummy hash."""
    method = hash_method()
    if user is None:
        return verify_dummy(password, method)
    return verify_password(user.password_hash, password)


def _rehash_if_needed(conn, user, password, now):
    method = hash_method()
    if not needs_rehash(user.password_hash, method):
        return user
    return users_repo.update(
        conn, user.id, now=now, changes={"password_hash": hash_password(password, method)}
    )


def check_current_password(user, password):
    """Check the password a signed-in user sends to confirm a change (`current_password`).

    It is a password guess like a login's: it counts for the account's back-off (429
    while that lasts, wrong or right) and a wrong one is a failed login (422 on the field).
    """
    conn = get_db()
    now = utcnow()
    account = email_key(user.email)
    block_level = login_throttle.begin_attempt(conn, account, now, subject=user)
    if not verify_password(user.password_hash, password):
        login_throttle.confirm_failure(block_level, subject=user)
        audit.record(
            "login.failed", subject=user, level=logging.WARNING, reason="wrong_current_password"
        )
        raise InvalidInput(
            "The request body is invalid.",
            errors={"current_password": ["This is not your current password."]},
        )
    with transaction(conn):
        login_throttle.reset(conn, account)
