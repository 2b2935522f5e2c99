"""SQL for passkeys (WebAuthn credentials) and the challenges of their ceremonies."""

import json
from dataclasses import dataclass
from datetime import datetime

from app.models import from_db_time, to_db_time


@dataclass(frozen=True)
class Passkey:
    credential_id: str
    user_id: int
    public_key: str
    sign_count: int
    name: str
    transports: tuple
    created_at: datetime
    last_used_at: datetime | None

    @property
    def id(self):
        return self.credential_id


@dataclass(frozen=True)
class Challenge:
    purpose: str
    user_id: int | None
    session_id: str | None


COLUMNS = (
    "credential_id, user_id, public_key, sign_count, name, transports, created_at, last_used_at"
)


def _passkey(row):
    if row is None:
        return None
    return Passkey(
        row["credential_id"],
        row["user_id"],
        row["public_key"],
        row["sign_count"],
        row["name"],
        tuple(json.loads(row["transports"])),
        from_db_time(row["created_at"]),
        from_db_time(row["last_used_at"]) if row["last_used_at"] else None,
    )


def list_for_user(conn, user_id):
    """Return the user's passkeys, oldest first."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM passkeys WHERE user_id = :user_id"
        " ORDER BY created_at, credential_id",
        {"user_id": user_id},
    ).fetchall()
    return [_passkey(row) for row in rows]


def count_for_user(conn, user_id):
    """Return how many passkeys the user has."""
    return conn.execute(
        "SELECT count(*) FROM passkeys WHERE user_id = :user_id", {"user_id": user_id}
    ).fetchone()[0]


def get(conn, credential_id):
    """Return the passkey with this credential id, or None."""
    return _passkey(
        conn.execute(
            f"SELECT {COLUMNS} FROM passkeys WHERE credential_id = :credential_id",
            {"credential_id": credential_id},
        ).fetchone()
    )


def add(conn, *, user_id, credential, name, now):
    """Store a verified credential; return the passkey, or None if the id is taken."""
    row = conn.execute(
        "INSERT INTO passkeys (credential_id, user_id, public_key, sign_count, name,"
        " transports, created_at) VALUES (:credential_id, :user_id, :public_key,"
        " :sign_count, :name, :transports, :now)"
        f" ON CONFLICT (credential_id) DO NOTHING RETURNING {COLUMNS}",
        {
            "credential_id": credential.credential_id,
            "user_id": user_id,
            "public_key": credential.public_key,
            "sign_count": credential.sign_count,
            "name": name,
            "transports": json.dumps(list(credential.transports)),
            "now": to_db_time(now),
        },
    ).fetchone()
    return _passkey(row)


def record_use(conn, *, credential_id, old_count, new_count, now):
    """Move the sign counter on; False if another use moved it first (compare-and-set)."""
    return (
        conn.execute(
            "UPDATE passkeys SET sign_count = :new_count, last_used_at = :now"
            " WHERE credential_id = :credential_id AND sign_count = :old_count",
            {
                "credential_id": credential_id,
                "old_count": old_count,
                "new_count": new_count,
                "now": to_db_time(now),
            },
        ).rowcount
        == 1
    )


def delete(conn, *, user_id, credential_id):
    """Remove one of the user's passkeys; return whether it existed."""
    return (
        conn.execute(
            "DELETE FROM passkeys WHERE user_id = :user_id AND credential_id = :credential_id",
            {"user_id": user_id, "credential_id": credential_id},
        ).rowcount
        > 0
    )


def delete_all(conn, user_id):
    """Remove every passkey of the user."""
    conn.execute("DELETE FROM passkeys WHERE user_id = :user_id", {"user_id": user_id})


def add_challenge(conn, *, challenge_hash, purpose, user_id, session_id, now, expires_at):
    """Store a ceremony's challenge (its hash); expired ones are swept out on the way."""
    conn.execute(
        "DELETE FROM webauthn_challenges WHERE expires_at < :now", {"now": to_db_time(now)}
    )
    conn.execute(
        "INSERT INTO webauthn_challenges (challenge_hash, purpose, user_id, session_id,"
        " expires_at) VALUES (:challenge_hash, :purpose, :user_id, :session_id, :expires_at)",
        {
            "challenge_hash": challenge_hash,
            "purpose": purpose,
            "user_id": user_id,
            "session_id": session_id,
            "expires_at": to_db_time(expires_at),
        },
    )


def take_challenge(conn, *, challenge_hash, now):
    """Spend a live challenge: return it the one time, else None (single use)."""
    row = conn.execute(
        "DELETE FROM webauthn_challenges WHERE challenge_hash = :challenge_hash"
        " AND expires_at > :now RETURNING purpose, user_id, session_id",
        {"challenge_hash": challenge_hash, "now": to_db_time(now)},
    ).fetchone()
    return Challenge(row["purpose"], row["user_id"], row["session_id"]) if row else None
