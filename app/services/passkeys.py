"""Passkeys: registration, listing, removal, and assertions for login, MFA and reauth.

Every challenge lives in the database (hashed, single use, CHALLENGE_TTL seconds),
so a ceremony may start on one worker or instance and finish on another.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import passkeys as passkeys_repo
from app.repositories import users as users_repo
from app.security import passkeys as webauthn
from app.services import audit, login_sessions, second_factors
from app.services.domain_errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from app.services.users import find_addressed

DEFAULT_NAME = "Passkey"


def relying_party():
    """Return the relying party the settings describe."""
    config = current_app.config
    return webauthn.RelyingParty(
        config["WEBAUTHN_RP_ID"], config["WEBAUTHN_RP_NAME"], tuple(config["WEBAUTHN_ORIGINS"])
    )


def registration_options(user):
    """Start adding a passkey: creation options excluding the user's passkeys."""
    conn = get_db()
    challenge = webauthn.new_challenge()
    with transaction(conn):
        existing = passkeys_repo.list_for_user(conn, user.id)
        _store_challenge(conn, challenge, "register", user_id=user.id)
    return webauthn.registration_options(
        relying_party(),
        challenge,
        user_id=user.id,
        email=user.email,
        name=user.name,
        exclude_ids=[passkey.credential_id for passkey in existing],
    )


def register(user, credential, name=None):
    """Finish adding a passkey; return (passkey, recovery codes if this enabled MFA).

    The challenge is spent whatever the outcome.
    """
    conn = get_db()
    now = utcnow()
    with transaction(conn):
        try:
            new = _verified_registration(conn, user, credential, now)
        except (_Refused, webauthn.InvalidPasskey) as error:
            refusal = str(error)
        else:
            return _store_passkey(conn, user, new, name, now)
    audit.record(
        "passkey.registration_refused",
        actor=user,
        subject=user,
        level=logging.WARNING,
        reason=refusal,
    )
    raise _bad_credential(
        "The credential was not accepted: a bad attestation, origin or "
        "RP id, no user verification, or an unknown or spent challenge."
    )


def _verified_registration(conn, user, credential, now):
    challenge = _take_challenge(conn, credential, now)
    if challenge.purpose != "register" or challenge.user_id != user.id:
        raise _Refused("challenge issued for something else")
    return webauthn.verify_registration(relying_party(), credential, challenge.raw)


def _store_passkey(conn, user, new, name, now):
    was_enabled = second_factors.current_status(conn, user.id).enabled
    passkey = passkeys_repo.add(
        conn, user_id=user.id, credential=new, name=name or DEFAULT_NAME, now=now
    )
    if passkey is None:
        raise _bad_credential("This passkey is registered already.")
    audit.record("passkey.added", actor=user, subject=user, passkey_id=passkey.id)
    if was_enabled:
        return passkey, None
    audit.record("mfa.enabled", actor=user, subject=user, method="passkey")
    return passkey, second_factors.new_recovery_codes(conn, user, now)


def list_passkeys(actor, ref):
    """Return the passkeys of the user `ref` names (the user itself or an admin)."""
    conn = get_db()
    return passkeys_repo.list_for_user(conn, find_addressed(conn, actor, ref).id)


def remove(user, passkey_id):
    """Remove one of the caller's passkeys; 404 for anyone else's."""
    conn = get_db()
    with transaction(conn):
        if not passkeys_repo.delete(conn, user_id=user.id, credential_id=passkey_id):
            raise NotFound("You have no passkey with this id.")
        audit.record("passkey.removed", actor=user, subject=user, passkey_id=passkey_id)
        second_factors.factor_removed(conn, user)
        if not second_factors.current_status(conn, user.id).enabled:
            audit.record(
                "mfa.disabled", actor=user, subject=user, method="passkey", mfa_enabled=False
            )


def request_options(*, mfa_token=None, user=None, session_id=None):
    """Request options: discoverable for a passwordless login; else one user's passkeys.

    With an `mfa_token`, for the second factor of a password login; with a login
    session's `user` and `session_id`, for POST /reauth.
    """
    conn = get_db()
    if mfa_token is not None:
        record = second_factors.live_mfa_token(conn, mfa_token, utcnow())
        if record is None:
            raise AuthenticationFailed("The mfa_token is invalid, spent or expired.")
        return _request_options(conn, "mfa", record.user_id, None)
    if user is not None and session_id is None:
        raise PermissionDenied("Passkey options need a login session, not an API key.")
    if user is not None:
        return _request_options(conn, "reauth", user.id, session_id)
    return _request_options(conn, "login", None, None)


def _request_options(conn, purpose, user_id, session_id):
    challenge = webauthn.new_challenge()
    with transaction(conn):
        _store_challenge(conn, challenge, purpose, user_id=user_id, session_id=session_id)
        allowed = (
            [p.credential_id for p in passkeys_repo.list_for_user(conn, user_id)]
            if user_id is not None
            else None
        )
    return webauthn.authentication_options(relying_party(), challenge, allow_ids=allowed)


def verify_assertion(conn, credential, now, *, purpose, user_id=None, session_id=None):
    """Check an assertion (inside a transaction); return its passkey, or None.

    The challenge is spent whatever the outcome. For `mfa` and `reauth` the passkey
    must be `user_id`'s and the challenge issued for the same purpose (and session).
    """
    try:
        challenge = _take_challenge(conn, credential, now)
        if (
            challenge.purpose != purpose
            or challenge.user_id != user_id
            or challenge.session_id != session_id
        ):
            raise _Refused("challenge issued for something else")
        passkey = passkeys_repo.get(conn, webauthn.credential_id_of(credential))
        if passkey is None or (user_id is not None and passkey.user_id != user_id):
            raise _Refused("unknown credential")
        handle = webauthn.user_handle_of(credential)
        if handle is not None and handle != webauthn.user_handle(passkey.user_id):
            raise _Refused("user handle of another user")
        count = webauthn.verify_assertion(
            relying_party(),
            credential,
            challenge.raw,
            public_key=passkey.public_key,
            sign_count=passkey.sign_count,
        )
        if not passkeys_repo.record_use(
            conn,
            credential_id=passkey.credential_id,
            old_count=passkey.sign_count,
            new_count=count,
            now=now,
        ):
            raise _Refused("the sign counter moved meanwhile")
    except (_Refused, webauthn.InvalidPasskey) as error:
        audit.record(
            "passkey.assertion_refused",
            subject=user_id,
            level=logging.WARNING,
            purpose=purpose,
            reason=str(error),
        )
        return None
    return passkey


def login(credential):
    """Passwordless login with a discoverable passkey; return the token pair."""
    conn = get_db()
    now = utcnow()
    with transaction(conn):
        passkey = verify_assertion(conn, credential, now, purpose="login")
        user = users_repo.get_by_id(conn, passkey.user_id) if passkey else None
        if user is not None and user.is_active:
            pair = login_sessions.open_session(conn, user, now, amr=("hwk", "user", "mfa"))
            audit.record("login.succeeded", actor=user, subject=user, method="passkey")
            return pair
    if user is None:
        raise AuthenticationFailed("The passkey did not verify.", code="invalid_credentials")
    audit.record("login.failed", subject=user, level=logging.WARNING, reason="account_disabled")
    raise PermissionDenied("This account is disabled.", code="account_disabled")


class _Refused(Exception):
    """An assertion this service does not accept (the reason, for the log)."""


@dataclass(frozen=True)
class _Challenge:
    """A spent challenge: what it was issued for, and its bytes."""

    purpose: str
    user_id: int | None
    session_id: str | None
    raw: bytes


def _store_challenge(conn, challenge, purpose, *, user_id=None, session_id=None):
    now = utcnow()
    passkeys_repo.add_challenge(
        conn,
        challenge_hash=webauthn.hash_challenge(challenge),
        purpose=purpose,
        user_id=user_id,
        session_id=session_id,
        now=now,
        expires_at=now + timedelta(seconds=webauthn.CHALLENGE_TTL),
    )


def _take_challenge(conn, credential, now):
    try:
        raw = webauthn.challenge_of(credential) if isinstance(credential, dict) else None
    except webauthn.InvalidPasskey:
        raise _Refused("malformed clientDataJSON") from None
    stored = (
        passkeys_repo.take_challenge(conn, challenge_hash=webauthn.hash_challenge(raw), now=now)
        if raw
        else None
    )
    if stored is None:
        raise _Refused("unknown, spent or expired challenge")
    return _Challenge(stored.purpose, stored.user_id, stored.session_id, raw)


def _bad_credential(message):
    return InvalidInput("The passkey was not accepted.", errors={"credential": [message]})
