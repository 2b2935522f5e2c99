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
    revision: int = 0
    user_name: str | None = None
    external_id: str | None = None
    email_type: str = "work"
    email_primary: bool = True
    name_shown: bool = True

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
            revision=row["revision"],
            user_name=row["user_name"],
            external_id=row["external_id"],
            email_type=row["email_type"],
            email_primary=bool(row["email_primary"]),
            name_shown=bool(row["name_shown"]),
        )

    @property
    def scim_user_name(self):
        """The name the user answers to: its SCIM userName, else its email."""
        return self.user_name if self.user_name is not None else self.email

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def etag(self):
        """The strong entity tag of this user's representation (unquoted)."""
        return f"{self.id}.{self.revision}"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as its owner sees it; the key itself is never kept."""

    id: int
    user_id: int
    name: str
    prefix: str
    scopes: tuple
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row):
        """Build a key from a database row of the `api_keys` table."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            name=row["name"],
            prefix=row["prefix"],
            scopes=tuple(row["scopes"].split()),
            created_at=from_db_time(row["created_at"]),
            expires_at=_optional_time(row["expires_at"]),
            last_used_at=_optional_time(row["last_used_at"]),
            revoked_at=_optional_time(row["revoked_at"]),
        )


@dataclass(frozen=True, slots=True)
class ApiKeyCredential:
    """What a request's key resolves to: the key, its stored hash and its owner."""

    key: ApiKey
    key_hash: str
    owner: User


def _optional_time(text):
    return from_db_time(text) if text is not None else None


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


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A stored security event: who (`actor_id`) did what (`type`) to whom (`subject_id`)."""

    id: int
    type: str
    occurred_at: datetime
    actor_id: int | None
    subject_id: int | None
    ip: str | None
    request_id: str | None
    details: dict


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live login session as its owner sees it (never its tokens)."""

    id: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    amr: list


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: the client's address (the rate limits' rule), its
    user agent and the request's id. All None outside a request (CLI commands)."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


# The audit event types the contract names, stored in audit_events (services/audit.py).
AUDIT_EVENT_TYPES = (
    "user.registered",
    "user.deleted",
    "user.role_changed",
    "user.status_changed",
    "login.succeeded",
    "login.failed",
    "login.throttled",
    "logout",
    "session.revoked",
    "token.reuse_detected",
    "password.changed",
    "password.reset_requested",
    "password.reset",
    "email.changed",
    "email.verified",
    "reauth.succeeded",
    "reauth.failed",
    "mfa.enabled",
    "mfa.disabled",
    "mfa.reset",
    "mfa.failed",
    "passkey.added",
    "passkey.removed",
    "recovery_codes.generated",
    "recovery_code.used",
    "api_key.created",
    "api_key.revoked",
    "scim.user_created",
    "scim.user_updated",
    "scim.user_deleted",
)

# What an API key may be allowed (services/api_keys.py grants, schemas validate).
API_KEY_SCOPES = ("users:read", "users:write", "scim")
