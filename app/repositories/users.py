"""SQL for the `users` table."""

from app.models import User, to_db_time
from app.security.email_address import email_key

COLUMN_NAMES = (
    "id",
    "name",
    "email",
    "email_key",
    "password_hash",
    "role",
    "is_active",
    "email_verified",
    "token_version",
    "email_version",
    "created_at",
    "updated_at",
    "revision",
    "user_name",
    "name_key",
    "external_id",
    "email_type",
    "email_primary",
    "name_shown",
)
COLUMNS = ", ".join(COLUMN_NAMES)
JOINED_COLUMNS = ", ".join(f"u.{column}" for column in COLUMN_NAMES)
UPDATABLE = (
    "name",
    "email",
    "password_hash",
    "role",
    "is_active",
    "email_verified",
    "user_name",
    "external_id",
    "email_type",
    "email_primary",
    "name_shown",
)
MAX_ID = 2**63 - 1


def _one(cursor):
    row = cursor.fetchone()
    return User.from_row(row) if row else None


def insert(conn, *, name, email, password_hash, role, is_active, now, scim=None):
    """Insert a user and return it; a taken email or name (by its key) raises the driver's
    IntegrityError.

    `scim` optionally holds `user_name`, `external_id`, `email_type`, `email_primary`.
    """
    scim = {
        "user_name": None,
        "external_id": None,
        "email_type": "work",
        "email_primary": True,
        **(scim or {}),
    }
    # The name the user answers to, folded as emails are: its userName, else its email.
    name_key = email_key(scim["user_name"] if scim["user_name"] is not None else email)
    return _one(
        conn.execute(
            "INSERT INTO users (name, email, email_key, password_hash, role, is_active,"
            " created_at, updated_at, user_name, name_key, external_id, email_type, email_primary)"
            " VALUES (:name, :email, :email_key, :password_hash, :role, :is_active, :now, :now,"
            " :user_name, :name_key, :external_id, :email_type, :email_primary)"
            f" RETURNING {COLUMNS}",
            {
                "name": name,
                "email": email,
                "email_key": email_key(email),
                "password_hash": password_hash,
                "role": role,
                "is_active": is_active,
                "now": to_db_time(now),
                "name_key": name_key,
                **scim,
            },
        )
    )


def get_by_id(conn, user_id):
    """Return the user with this id, or None (also for ids beyond the column's range)."""
    if not 0 < user_id <= MAX_ID:
        return None
    return _one(conn.execute(f"SELECT {COLUMNS} FROM users WHERE id = :id", {"id": user_id}))


def get_by_email(conn, email):
    """Return the user with this email (compared by its key), or None."""
    return _one(
        conn.execute(
            f"SELECT {COLUMNS} FROM users WHERE email_key = :key", {"key": email_key(email)}
        )
    )


def get_by_session(conn, *, user_id, session_id):
    """Return the user owning a live session, in the one query every request makes."""
    return _one(
        conn.execute(
            f"SELECT {JOINED_COLUMNS}"
            " FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.id = :session_id AND u.id = :user_id"
            " AND s.revoked_at IS NULL AND s.user_version = u.token_version",
            {"session_id": session_id, "user_id": user_id},
        )
    )


def update(conn, user_id, *, changes, now, revoke_sessions=False):
    """Apply `changes` (columns of UPDATABLE) and return the updated user, or None."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    assignments = [f"{column} = :{column}" for column in UPDATABLE if column in changes]
    assignments.append("updated_at = :updated_at")
    assignments.append("revision = revision + 1")
    if revoke_sessions:
        assignments.append("token_version = token_version + 1")
    keys = {}
    if "email" in changes:
        assignments.append("email_key = :email_key")
        assignments.append("email_version = email_version + 1")
        keys["email_key"] = email_key(changes["email"])
    if changes.get("user_name") is not None:
        assignments.append("name_key = :name_key")
        keys["name_key"] = email_key(changes["user_name"])
    elif "email" in changes:
        # A user without a userName answers to its email: the new one.
        assignments.append(
            "name_key = CASE WHEN user_name IS NULL THEN :email_key ELSE name_key END"
        )
    return _one(
        conn.execute(
            f"UPDATE users SET {', '.join(assignments)} WHERE id = :id RETURNING {COLUMNS}",
            {**changes, **keys, "updated_at": to_db_time(now), "id": user_id},
        )
    )


def delete(conn, user_id):
    """Delete a user (its sessions go with it); return whether a row was deleted."""
    return conn.execute("DELETE FROM users WHERE id = :id", {"id": user_id}).rowcount == 1


def count_active_admins(conn):
    """Return how many active admins exist."""
    return conn.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND is_active = TRUE"
    ).fetchone()[0]
