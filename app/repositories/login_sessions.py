"""SQL for login sessions and the refresh tokens issued for them."""

import json
from dataclasses import dataclass
from datetime import datetime

from app.models import PurgedSessions, RefreshToken, SessionInfo, from_db_time, to_db_time


@dataclass(frozen=True)
class SessionAuthentication:
    """How and when a session last proved its credentials."""

    amr: tuple
    authenticated_at: datetime | None


def create(conn, *, session_id, user_id, user_version, now, ip=None, user_agent=None, amr=("pwd",)):
    """Record a new login session, with where and how it was authenticated."""
    conn.execute(
        "INSERT INTO sessions (id, user_id, user_version, created_at, ip, user_agent,"
        " last_used_at, amr, authenticated_at)"
        " VALUES (:id, :user_id, :user_version, :created_at, :ip, :user_agent,"
        " :created_at, :amr, :created_at)",
        {
            "id": session_id,
            "user_id": user_id,
            "user_version": user_version,
            "created_at": to_db_time(now),
            "ip": ip,
            "user_agent": user_agent,
            "amr": json.dumps(list(amr)),
        },
    )


def touch(conn, *, session_id, now):
    """Note that a session was used now (at a refresh)."""
    conn.execute(
        "UPDATE sessions SET last_used_at = :now WHERE id = :id",
        {"id": session_id, "now": to_db_time(now)},
    )


def list_live(conn, *, user_id, now):
    """Return a user's live sessions, newest first: not ended, not outdated by a
    password change, with a refresh token that has not expired."""
    rows = conn.execute(
        "SELECT s.id, s.created_at, s.last_used_at, s.ip, s.user_agent, s.amr,"
        " max(rt.expires_at) AS expires_at"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " JOIN refresh_tokens rt ON rt.session_id = s.id"
        " WHERE s.user_id = :user_id AND s.revoked_at IS NULL"
        " AND s.user_version = u.token_version"
        " GROUP BY s.id, s.created_at, s.last_used_at, s.ip, s.user_agent, s.amr"
        " HAVING max(rt.expires_at) > :now"
        " ORDER BY s.created_at DESC, s.id DESC",
        {"user_id": user_id, "now": to_db_time(now)},
    ).fetchall()
    return [_session_info(row) for row in rows]


def _session_info(row):
    last_used = row["last_used_at"]
    return SessionInfo(
        id=row["id"],
        created_at=from_db_time(row["created_at"]),
        last_used_at=from_db_time(last_used) if last_used else None,
        expires_at=from_db_time(row["expires_at"]),
        ip=row["ip"],
        user_agent=row["user_agent"],
        amr=json.loads(row["amr"]),
    )


def get_authentication(conn, session_id):
    """Return how and when a live session was authenticated, or None."""
    row = conn.execute(
        "SELECT amr, authenticated_at FROM sessions WHERE id = :id AND revoked_at IS NULL",
        {"id": session_id},
    ).fetchone()
    if row is None:
        return None
    at = row["authenticated_at"]
    return SessionAuthentication(tuple(json.loads(row["amr"])), from_db_time(at) if at else None)


def mark_authenticated(conn, *, session_id, now):
    """Record that a live session proved its credentials again just now."""
    return (
        conn.execute(
            "UPDATE sessions SET authenticated_at = :now WHERE id = :id AND revoked_at IS NULL",
            {"id": session_id, "now": to_db_time(now)},
        ).rowcount
        == 1
    )


def add_refresh_token(conn, *, token_hash, session_id, expires_at):
    """Store the hash of a refresh token issued for a session."""
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at)"
        " VALUES (:token_hash, :session_id, :expires_at)",
        {"token_hash": token_hash, "session_id": session_id, "expires_at": to_db_time(expires_at)},
    )


def find_refresh_token(conn, token_hash):
    """Return the refresh token with this hash and its session's user, or None."""
    row = conn.execute(
        "SELECT rt.session_id, rt.expires_at, rt.spent_at, s.user_id"
        " FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id"
        " WHERE rt.token_hash = :token_hash",
        {"token_hash": token_hash},
    ).fetchone()
    if row is None:
        return None
    return RefreshToken(
        session_id=row["session_id"],
        user_id=row["user_id"],
        expires_at=from_db_time(row["expires_at"]),
        spent=row["spent_at"] is not None,
    )


def spend_refresh_token(conn, *, token_hash, now):
    """Mark a refresh token spent; return False if it already was (a concurrent spend)."""
    return (
        conn.execute(
            "UPDATE refresh_tokens SET spent_at = :now"
            " WHERE token_hash = :token_hash AND spent_at IS NULL",
            {"token_hash": token_hash, "now": to_db_time(now)},
        ).rowcount
        == 1
    )


def revoke(conn, *, session_id, now):
    """End one session: its access and refresh tokens stop working."""
    conn.execute(
        "UPDATE sessions SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL",
        {"id": session_id, "now": to_db_time(now)},
    )


def revoke_live(conn, *, session_id, user_id, now):
    """End a live session of this user; return whether there was one to end."""
    return (
        conn.execute(
            "UPDATE sessions SET revoked_at = :now WHERE id = :id AND user_id = :user_id"
            " AND revoked_at IS NULL AND user_version ="
            " (SELECT token_version FROM users WHERE id = :user_id)"
            " AND EXISTS (SELECT 1 FROM refresh_tokens rt"
            " WHERE rt.session_id = sessions.id AND rt.expires_at > :now)",
            {"id": session_id, "user_id": user_id, "now": to_db_time(now)},
        ).rowcount
        == 1
    )


def revoke_all(conn, *, user_id, now):
    """End every session of a user."""
    conn.execute(
        "UPDATE sessions SET revoked_at = :now WHERE user_id = :user_id AND revoked_at IS NULL",
        {"user_id": user_id, "now": to_db_time(now)},
    )


def purge(conn, *, now, revoked_before):
    """Delete expired refresh tokens, and sessions long revoked or with none left alive."""
    params = {"now": to_db_time(now), "revoked_before": to_db_time(revoked_before)}
    tokens = conn.execute("DELETE FROM refresh_tokens WHERE expires_at < :now", params).rowcount
    sessions = conn.execute(
        "DELETE FROM sessions WHERE revoked_at < :revoked_before"
        " OR NOT EXISTS (SELECT 1 FROM refresh_tokens rt"
        " WHERE rt.session_id = sessions.id AND rt.expires_at >= :now)",
        params,
    ).rowcount
    return PurgedSessions(refresh_tokens=tokens, sessions=sessions)
