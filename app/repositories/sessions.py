"""SQL for login sessions and the refresh tokens issued for them."""

from app.models import to_db_time


def create(conn, *, session_id, user_id, user_version, now):
    """Record a new login session."""
    conn.execute(
        "INSERT INTO sessions (id, user_id, user_version, created_at)"
        " VALUES (:id, :user_id, :user_version, :created_at)",
        {"id": session_id, "user_id": user_id, "user_version": user_version,
         "created_at": to_db_time(now)},
    )


def add_refresh_token(conn, *, token_hash, session_id, expires_at):
    """Store the hash of a refresh token issued for a session."""
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at)"
        " VALUES (:token_hash, :session_id, :expires_at)",
        {"token_hash": token_hash, "session_id": session_id,
         "expires_at": to_db_time(expires_at)},
    )
