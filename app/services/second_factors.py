"""Second factors: TOTP, recovery codes, what "MFA is enabled" means, the admin reset.

MFA is enabled while the user has a confirmed TOTP authenticator or a passkey.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import login_sessions as sessions_repo
from app.repositories import passkeys as passkeys_repo
from app.repositories import second_factors as factors_repo
from app.security import one_time_codes as codes
from app.services import audit
from app.services.domain_errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.users import find_addressed

MFA_TOKEN_TTL = 300
MAX_CODE_FAILURES = 5


@dataclass(frozen=True)
class MfaStatus:
    enabled: bool
    totp: bool
    passkeys: int
    recovery_codes_left: int


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class MfaChallenge:
    """The answer to a right password of a user with MFA: prove the second factor."""

    mfa_token: str
    methods: tuple
    expires_in: int
    mfa_required: bool = True


def status(actor, ref):
    """Return the MFA status of the user `ref` names (the user itself or an admin)."""
    conn = get_db()
    return current_status(conn, find_addressed(conn, actor, ref).id)


def current_status(conn, user_id):
    """Return which factors the user has now."""
    totp = factors_repo.has_confirmed_totp(conn, user_id)
    passkeys = passkeys_repo.count_for_user(conn, user_id)
    enabled = totp or passkeys > 0
    left = factors_repo.count_recovery_codes_left(conn, user_id) if enabled else 0
    return MfaStatus(enabled, totp, passkeys, left)


def methods(mfa_status):
    """Return the second-factor methods of a status, as POST /login names them."""
    names = []
    if mfa_status.totp:
        names.append("totp")
    if mfa_status.passkeys:
        names.append("passkey")
    if mfa_status.recovery_codes_left:
        names.append("recovery_code")
    return tuple(names)


def start_totp(user):
    """Start (or restart) TOTP enrolment: a fresh pending secret and its otpauth URI."""
    conn = get_db()
    secret = codes.new_totp_secret()
    with transaction(conn):
        stored = codes.encrypt_secret(_cipher(), secret)
        if not factors_repo.put_pending_totp(
            conn, user_id=user.id, secret_encrypted=stored, now=utcnow()
        ):
            raise Conflict(
                "A TOTP authenticator is already set up; remove it first.", code="mfa_exists"
            )
    uri = codes.provisioning_uri(secret, email=user.email, issuer=current_app.config["MFA_ISSUER"])
    return TotpEnrolment(secret, uri)


def confirm_totp(user, code):
    """Confirm the pending secret with a code; return new recovery codes if MFA became on."""
    conn = get_db()
    now = utcnow()
    with transaction(conn):
        pending = factors_repo.get_totp(conn, user.id)
        if pending is None or pending.confirmed:
            raise _invalid_code("No TOTP enrolment is pending; start one first.")
        was_enabled = current_status(conn, user.id).enabled
        secret = codes.decrypt_secret(_cipher(), pending.secret_encrypted)
        step = codes.matching_step(secret, code, now) if secret else None
        if step is None or not factors_repo.accept_step(
            conn, user_id=user.id, step=step, now=now, confirm=True
        ):
            raise _invalid_code("The code is wrong or was used already.")
        audit.record("mfa.enabled", actor=user, subject=user, method="totp")
        return None if was_enabled else new_recovery_codes(conn, user, now)


def remove_totp(user):
    """Remove the user's TOTP authenticator (pending or confirmed)."""
    conn = get_db()
    with transaction(conn):
        if not factors_repo.delete_totp(conn, user.id):
            raise NotFound("There is no TOTP authenticator to remove.")
        factor_removed(conn, user)
        audit.record(
            "mfa.disabled",
            actor=user,
            subject=user,
            method="totp",
            mfa_enabled=current_status(conn, user.id).enabled,
        )


def factor_removed(conn, user):
    """After a factor went: with no factor left, the recovery codes die too."""
    if not current_status(conn, user.id).enabled:
        factors_repo.delete_recovery_codes(conn, user.id)


def regenerate_recovery_codes(user):
    """Replace the user's recovery codes with a fresh set of 10."""
    conn = get_db()
    with transaction(conn):
        if not current_status(conn, user.id).enabled:
            raise Conflict("Recovery codes need a second factor first.", code="mfa_not_enabled")
        return new_recovery_codes(conn, user, utcnow())


def new_recovery_codes(conn, user, now):
    """Store a fresh set of recovery codes (inside the caller's transaction); return it."""
    fresh = codes.new_recovery_codes()
    factors_repo.replace_recovery_codes(
        conn, user_id=user.id, now=now, code_hashes=[codes.hash_recovery_code(c) for c in fresh]
    )
    audit.record("recovery_codes.generated", actor=user, subject=user)
    return fresh


def reset(actor, ref):
    """An admin removes every factor of another user and ends its sessions."""
    conn = get_db()
    with transaction(conn):
        target = find_addressed(conn, actor, ref)
        if not actor.is_admin or target.id == actor.id:
            raise PermissionDenied("Only an admin may reset another user's MFA.", subject=target.id)
        factors_repo.delete_totp(conn, target.id)
        passkeys_repo.delete_all(conn, target.id)
        factors_repo.delete_recovery_codes(conn, target.id)
        factors_repo.delete_mfa_tokens(conn, target.id)
        sessions_repo.revoke_all(conn, user_id=target.id, now=utcnow())
        audit.record("mfa.reset", actor=actor, subject=target, level=logging.WARNING)


def verify_code(conn, user, code, now):
    """Spend a TOTP or recovery code of the user (inside a transaction); True if right."""
    code = code.strip()
    if codes.is_totp_code(code):
        totp = factors_repo.get_totp(conn, user.id)
        if totp is None or not totp.confirmed:
            return False
        secret = codes.decrypt_secret(_cipher(), totp.secret_encrypted)
        step = codes.matching_step(secret, code, now) if secret else None
        return step is not None and factors_repo.accept_step(
            conn, user_id=user.id, step=step, now=now
        )
    if factors_repo.use_recovery_code(
        conn, user_id=user.id, now=now, code_hash=codes.hash_recovery_code(code)
    ):
        audit.record(
            "recovery_code.used",
            actor=user,
            subject=user,
            left=factors_repo.count_recovery_codes_left(conn, user.id),
        )
        return True
    return False


def start_login(conn, user, mfa_status, now):
    """Issue the mfa_token of a right password (inside the login's transaction)."""
    token, token_hash = codes.new_mfa_token()
    factors_repo.add_mfa_token(
        conn,
        token_hash=token_hash,
        user_id=user.id,
        user_version=user.token_version,
        now=now,
        expires_at=now + timedelta(seconds=MFA_TOKEN_TTL),
    )
    return MfaChallenge(token, methods(mfa_status), MFA_TOKEN_TTL)


def live_mfa_token(conn, token, now):
    """Return the stored mfa_token if it can still be used, else None."""
    record = factors_repo.get_mfa_token(conn, codes.hash_mfa_token(token))
    if (
        record is None
        or record.spent
        or record.expires_at <= now
        or record.failures >= MAX_CODE_FAILURES
    ):
        return None
    return record


def _cipher():
    cipher = current_app.extensions.get("totp_cipher")
    if cipher is None:
        cipher = codes.secret_cipher(current_app.config["SECRET_KEY"])
        current_app.extensions["totp_cipher"] = cipher
    return cipher


def _invalid_code(message):
    return InvalidInput("The code was not accepted.", errors={"code": [message]})
