"""API keys: creating, listing and revoking them, and recognising one on a request."""

from dataclasses import dataclass
from datetime import timedelta

from app.database import get_db, transaction
from app.models import API_KEY_SCOPES, utcnow
from app.repositories import api_keys as keys_repo
from app.security import api_keys as key_material
from app.services import audit
from app.services.domain_errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from app.services.users import get_user

SCOPES = API_KEY_SCOPES
# What each scope lets a key do; `users:write` includes reading.
GRANTS = {
    "users:read": {"users:read"},
    "users:write": {"users:read", "users:write"},
    "scim": {"scim"},
}
ADMIN_ONLY_SCOPES = ("scim",)
MAX_LIVE_KEYS = 20
LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: the only time its secret `key` exists outside the client."""

    key: str
    api_key: object

    def __getattr__(self, name):
        return getattr(self.api_key, name)


def create(actor, *, name, scopes, expires_in_days=None):
    """Create a key for the actor itself; return it with the secret, shown this once."""
    scopes = tuple(dict.fromkeys(scopes))
    refused = [scope for scope in scopes if scope in ADMIN_ONLY_SCOPES]
    if refused and not actor.is_admin:
        raise InvalidInput(
            "The request body is invalid.",
            errors={"scopes": [f"Only an admin's key may have the scope {refused[0]!r}."]},
        )
    now = utcnow()
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    key, prefix, key_hash = key_material.new_api_key()
    conn = get_db()
    with transaction(conn):
        if keys_repo.count_live(conn, actor.id, now) >= MAX_LIVE_KEYS:
            raise Conflict(
                f"A user may have at most {MAX_LIVE_KEYS} live API keys; revoke one first.",
                code="too_many_api_keys",
            )
        api_key = keys_repo.insert(
            conn,
            user_id=actor.id,
            name=name,
            key_hash=key_hash,
            prefix=prefix,
            scopes=scopes,
            now=now,
            expires_at=expires_at,
        )
        audit.record(
            "api_key.created",
            actor=actor,
            subject=actor,
            api_key_id=api_key.id,
            prefix=prefix,
            scopes=list(scopes),
        )
    return NewApiKey(key, api_key)


def list_keys(actor, ref):
    """Return the unrevoked keys of the user `ref` names (the user or an admin)."""
    owner = get_user(actor, ref)
    return keys_repo.list_unrevoked(get_db(), owner.id)


def revoke(actor, ref, key_id):
    """Revoke a key of the user `ref` names; it stops working at once."""
    owner = get_user(actor, ref)
    conn = get_db()
    with transaction(conn):
        api_key = keys_repo.revoke(conn, user_id=owner.id, key_id=key_id, now=utcnow())
        if api_key is None:
            raise NotFound("No such API key.")
        audit.record(
            "api_key.revoked",
            actor=actor,
            subject=owner,
            api_key_id=api_key.id,
            prefix=api_key.prefix,
        )


def authenticate(key):
    """Return the (owner, key) a presented key stands for, or raise AuthenticationFailed.

    One indexed query finds the key and its owner's current role and status; the
    hash is compared again in constant time. `last_used_at` is written at most
    about once a minute per key, so a busy script does not turn reads into writes.
    """
    presented_hash = key_material.hash_api_key(key)
    conn = get_db()
    credential = keys_repo.find_credential(conn, presented_hash)
    now = utcnow()
    if (
        credential is None
        or not key_material.hashes_match(credential.key_hash, presented_hash)
        or (credential.key.expires_at is not None and credential.key.expires_at <= now)
        or not credential.owner.is_active
    ):
        raise AuthenticationFailed("The API key is invalid, expired or revoked.")
    last_used = credential.key.last_used_at
    if last_used is None or now - last_used >= LAST_USED_GRANULARITY:
        with transaction(conn):
            keys_repo.touch(
                conn, key_id=credential.key.id, now=now, not_since=now - LAST_USED_GRANULARITY
            )
    return credential.owner, credential.key


def grants(api_key, scope):
    """Tell whether a key's scopes allow `scope` (`users:write` includes `users:read`)."""
    return any(scope in GRANTS.get(held, ()) for held in api_key.scopes)
