"""Login sessions: token pairs, refresh with reuse detection, logout, housekeeping."""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import login_failures
from app.repositories import login_sessions as sessions_repo
from app.repositories import users as users_repo
from app.security import tokens
from app.services import audit
from app.services import users as users_service
from app.services.domain_errors import AuthenticationFailed, NotFound

REVOKED_SESSIONS_KEPT = timedelta(days=1)
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: object
    token_type: str = "Bearer"


def open_session(conn, user, now, *, amr=("pwd",)):
    """Start a login session for `user`, proven by `amr` (inside the caller's transaction),
    noting the client's address and user agent."""
    session_id = tokens.new_session_id()
    origin = audit.request_origin()
    sessions_repo.create(
        conn,
        session_id=session_id,
        user_id=user.id,
        user_version=user.token_version,
        now=now,
        ip=origin.ip,
        user_agent=origin.user_agent,
        amr=amr,
    )
    return _issue_pair(conn, user, session_id, now, amr)


def refresh(refresh_token):
    """Spend a refresh token for a new pair; a spent one ends its whole session."""
    conn = get_db()
    now = utcnow()
    token_hash = tokens.hash_refresh_token(refresh_token)
    with transaction(conn):
        record = sessions_repo.find_refresh_token(conn, token_hash)
        if record is not None and record.spent:
            sessions_repo.revoke(conn, session_id=record.session_id, now=now)
            audit.record(
                "token.reuse_detected",
                subject=record.user_id,
                level=logging.WARNING,
                session_id=record.session_id,
            )
        else:
            return _redeem(conn, record, token_hash, now)
    # Committed the revocation above; only now refuse.
    raise _invalid()


def _redeem(conn, record, token_hash, now):
    if record is None or record.expires_at <= now:
        raise _invalid()
    user = users_repo.get_by_session(conn, user_id=record.user_id, session_id=record.session_id)
    if user is None or not user.is_active:
        raise _invalid()
    if not sessions_repo.spend_refresh_token(conn, token_hash=token_hash, now=now):
        raise _invalid()  # a concurrent refresh spent it first: one winner
    sessions_repo.touch(conn, session_id=record.session_id, now=now)
    authentication = sessions_repo.get_authentication(conn, record.session_id)
    amr = authentication.amr if authentication else ("pwd",)
    return _issue_pair(conn, user, record.session_id, now, amr)


def logout(user, session_id, *, everywhere=False):
    """End the caller's session, or every session of the caller."""
    conn = get_db()
    with transaction(conn):
        if everywhere:
            sessions_repo.revoke_all(conn, user_id=user.id, now=utcnow())
        else:
            sessions_repo.revoke(conn, session_id=session_id, now=utcnow())
        audit.record("logout", actor=user, subject=user, everywhere=everywhere)


def purge_expired():
    """Delete expired tokens, dead sessions and stale login counters; return counts."""
    conn = get_db()
    now = utcnow()
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])
    with transaction(conn):
        purged = sessions_repo.purge(conn, now=now, revoked_before=now - REVOKED_SESSIONS_KEPT)
        failures = login_failures.purge(conn, before=now - window)
    return {
        "refresh_tokens": purged.refresh_tokens,
        "sessions": purged.sessions,
        "login_failures": failures,
    }


def _issue_pair(conn, user, session_id, now, amr):
    refresh_token, refresh_hash = tokens.new_refresh_token()
    ttl = current_app.config["REFRESH_TOKEN_TTL"]
    sessions_repo.add_refresh_token(
        conn,
        token_hash=refresh_hash,
        session_id=session_id,
        expires_at=now + timedelta(seconds=ttl),
    )
    settings = token_settings()
    access_token = tokens.issue_access_token(
        settings, user_id=user.id, role=user.role, session_id=session_id, now=now, amr=amr
    )
    return TokenPair(access_token, refresh_token, settings.ttl, user)


def token_settings():
    """Return the app's access-token settings (built once per app)."""
    cached = current_app.extensions.get("token_settings")
    if cached is None:
        config = current_app.config
        cached = tokens.TokenSettings(
            tokens.derive_key(config["SECRET_KEY"]),
            config["JWT_ISSUER"],
            config["JWT_AUDIENCE"],
            config["ACCESS_TOKEN_TTL"],
        )
        current_app.extensions["token_settings"] = cached
    return cached


def _invalid():
    return AuthenticationFailed("The refresh token is invalid, expired or revoked.")


def list_sessions(actor, ref):
    """Return the live sessions of the user `ref` names, newest first."""
    target = users_service.get_user(actor, ref)
    return sessions_repo.list_live(get_db(), user_id=target.id, now=utcnow())


def end_session(actor, ref, session_id):
    """End one live session of the user `ref` names; its tokens stop working at once."""
    target = users_service.get_user(actor, ref)
    if not SESSION_ID.fullmatch(session_id):
        raise NotFound("No such live session of this user.")  # no id looks like that
    conn = get_db()
    with transaction(conn):
        if not sessions_repo.revoke_live(
            conn, session_id=session_id, user_id=target.id, now=utcnow()
        ):
            raise NotFound("No such live session of this user.")
        audit.record("session.revoked", actor=actor, subject=target, session_id=session_id)
