"""Plain data objects passed between the layers."""

from dataclasses import dataclass
from datetime import UTC, datetime


def utcnow():
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_db_time(moment):
    """Format a timestamp for storage: sortable text, microseconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text):
    """Parse a stored timestamp back into an aware datetime."""
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    email: str
    password_hash: str
    role: str
    is_active: bool
    email_verified: bool
    token_version: int
    email_version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row):
        """Build a user from a database row of the `users` table."""
        return cls(
            id=row["id"],
            name=row["name"],
            email=row["email"],
            password_hash=row["password_hash"],
            role=row["role"],
            is_active=bool(row["is_active"]),
            email_verified=bool(row["email_verified"]),
            token_version=row["token_version"],
            email_version=row["email_version"],
            created_at=from_db_time(row["created_at"]),
            updated_at=from_db_time(row["updated_at"]),
        )

    @property
    def is_admin(self):
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A stored refresh token (its hash is the key), with its session's user."""

    session_id: str
    user_id: int
    expires_at: datetime
    spent: bool


@dataclass(frozen=True, slots=True)
class LoginBlock:
    """An account's back-off: its level (0 first) and when it ends."""

    level: int
    blocked_until: datetime


@dataclass(frozen=True, slots=True)
class PurgedSessions:
    """How many rows a session purge deleted."""

    refresh_tokens: int
    sessions: int
