"""SQL for the `api_keys` table."""

from app.models import ApiKey, ApiKeyCredential, User, to_db_time
from app.repositories.users import JOINED_COLUMNS, MAX_ID

KEY_COLUMNS = (
    "id",
    "user_id",
    "name",
    "prefix",
    "scopes",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
)
COLUMNS = ", ".join(KEY_COLUMNS)
# The key's columns renamed so they do not clash with the user's in one join.
KEY_ALIASES = ", ".join(f"k.{column} AS key_{column}" for column in KEY_COLUMNS)


def insert(conn, *, user_id, name, key_hash, prefix, scopes, now, expires_at):
    """Store a new key (its hash only) and return it."""
    row = conn.execute(
        "INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes, created_at, expires_at)"
        " VALUES (:user_id, :name, :key_hash, :prefix, :scopes, :now, :expires_at)"
        f" RETURNING {COLUMNS}",
        {
            "user_id": user_id,
            "name": name,
            "key_hash": key_hash,
            "prefix": prefix,
            "scopes": " ".join(scopes),
            "now": to_db_time(now),
            "expires_at": to_db_time(expires_at) if expires_at else None,
        },
    ).fetchone()
    return ApiKey.from_row(row)


def find_credential(conn, key_hash):
    """Return the unrevoked key with this hash and its owner, in one indexed query."""
    row = conn.execute(
        f"SELECT {KEY_ALIASES}, k.key_hash AS key_hash, {JOINED_COLUMNS}"
        " FROM api_keys k JOIN users u ON u.id = k.user_id"
        " WHERE k.key_hash = :key_hash AND k.revoked_at IS NULL",
        {"key_hash": key_hash},
    ).fetchone()
    if row is None:
        return None
    key_row = {column: row[f"key_{column}"] for column in KEY_COLUMNS}
    return ApiKeyCredential(ApiKey.from_row(key_row), row["key_hash"], User.from_row(row))


def list_unrevoked(conn, user_id):
    """Return a user's keys that were not revoked, newest first."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM api_keys WHERE user_id = :user_id AND revoked_at IS NULL"
        " ORDER BY id DESC",
        {"user_id": user_id},
    ).fetchall()
    return [ApiKey.from_row(row) for row in rows]


def count_live(conn, user_id, now):
    """Return how many of a user's keys still work (neither revoked nor expired)."""
    return conn.execute(
        "SELECT count(*) FROM api_keys WHERE user_id = :user_id AND revoked_at IS NULL"
        " AND (expires_at IS NULL OR expires_at > :now)",
        {"user_id": user_id, "now": to_db_time(now)},
    ).fetchone()[0]


def revoke(conn, *, user_id, key_id, now):
    """Revoke one of a user's keys; return it, or None if there is no such live key."""
    if not 0 < key_id <= MAX_ID:
        return None
    row = conn.execute(
        "UPDATE api_keys SET revoked_at = :now"
        " WHERE id = :id AND user_id = :user_id AND revoked_at IS NULL"
        f" RETURNING {COLUMNS}",
        {"id": key_id, "user_id": user_id, "now": to_db_time(now)},
    ).fetchone()
    return ApiKey.from_row(row) if row else None


def touch(conn, *, key_id, now, not_since):
    """Set `last_used_at`, unless it was set after `not_since` (another worker did)."""
    conn.execute(
        "UPDATE api_keys SET last_used_at = :now"
        " WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :not_since)",
        {"id": key_id, "now": to_db_time(now), "not_since": to_db_time(not_since)},
    )
