"""SQL for TOTP authenticators, recovery codes and the mfa_tokens of MFA logins."""

from dataclasses import dataclass
from datetime import datetime

from app.models import from_db_time, to_db_time

# A code is offered for the current step and one either side: older steps never return.
STEPS_REMEMBERED = 3


@dataclass(frozen=True)
class TotpAuthenticator:
    user_id: int
    secret_encrypted: str
    confirmed: bool


@dataclass(frozen=True)
class MfaToken:
    token_hash: str
    user_id: int
    user_version: int
    expires_at: datetime
    failures: int
    spent: bool


def get_totp(conn, user_id):
    """Return the user's TOTP authenticator (pending or confirmed), or None."""
    row = conn.execute(
        "SELECT user_id, secret_encrypted, confirmed_at"
        " FROM totp_authenticators WHERE user_id = :user_id",
        {"user_id": user_id},
    ).fetchone()
    if row is None:
        return None
    return TotpAuthenticator(
        row["user_id"], row["secret_encrypted"], row["confirmed_at"] is not None
    )


def put_pending_totp(conn, *, user_id, secret_encrypted, now):
    """Store a pending TOTP secret, replacing a pending one; False if one is confirmed."""
    return (
        conn.execute(
            "INSERT INTO totp_authenticators (user_id, secret_encrypted, created_at)"
            " VALUES (:user_id, :secret, :now)"
            " ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = :secret, created_at = :now"
            " WHERE totp_authenticators.confirmed_at IS NULL",
            {"user_id": user_id, "secret": secret_encrypted, "now": to_db_time(now)},
        ).rowcount
        == 1
    )


def accept_step(conn, *, user_id, step, now, confirm=False):
    """Take a TOTP step once: True only the first time it is taken for the user.

    The primary key of totp_used_steps decides, so of two racing uses of one code
    exactly one wins. With `confirm` it confirms a pending authenticator; else the
    authenticator must be confirmed already. Steps too old to be offered are forgotten.
    """
    if confirm:
        ready = (
            conn.execute(
                "UPDATE totp_authenticators SET confirmed_at = :now"
                " WHERE user_id = :user_id AND confirmed_at IS NULL",
                {"user_id": user_id, "now": to_db_time(now)},
            ).rowcount
            == 1
        )
    else:
        ready = has_confirmed_totp(conn, user_id)
    if not ready:
        return False
    taken = (
        conn.execute(
            "INSERT INTO totp_used_steps (user_id, step) VALUES (:user_id, :step)"
            " ON CONFLICT (user_id, step) DO NOTHING",
            {"user_id": user_id, "step": step},
        ).rowcount
        == 1
    )
    conn.execute(
        "DELETE FROM totp_used_steps WHERE user_id = :user_id AND step < :oldest",
        {"user_id": user_id, "oldest": step - STEPS_REMEMBERED},
    )
    return taken


def delete_totp(conn, user_id):
    """Remove the user's TOTP authenticator; return whether there was one."""
    return (
        conn.execute(
            "DELETE FROM totp_authenticators WHERE user_id = :user_id", {"user_id": user_id}
        ).rowcount
        > 0
    )


def has_confirmed_totp(conn, user_id):
    """Tell whether the user has a confirmed TOTP authenticator."""
    return (
        conn.execute(
            "SELECT 1 FROM totp_authenticators WHERE user_id = :user_id"
            " AND confirmed_at IS NOT NULL",
            {"user_id": user_id},
        ).fetchone()
        is not None
    )


def replace_recovery_codes(conn, *, user_id, code_hashes, now):
    """Replace every recovery code of the user with these (hashes)."""
    delete_recovery_codes(conn, user_id)
    for code_hash in code_hashes:
        conn.execute(
            "INSERT INTO recovery_codes (user_id, code_hash, created_at)"
            " VALUES (:user_id, :code_hash, :now)",
            {"user_id": user_id, "code_hash": code_hash, "now": to_db_time(now)},
        )


def use_recovery_code(conn, *, user_id, code_hash, now):
    """Spend an unused recovery code; True only for the one use that spent it."""
    return (
        conn.execute(
            "UPDATE recovery_codes SET used_at = :now"
            " WHERE user_id = :user_id AND code_hash = :code_hash AND used_at IS NULL",
            {"user_id": user_id, "code_hash": code_hash, "now": to_db_time(now)},
        ).rowcount
        == 1
    )


def count_recovery_codes_left(conn, user_id):
    """Return how many unused recovery codes the user has."""
    return conn.execute(
        "SELECT count(*) FROM recovery_codes WHERE user_id = :user_id AND used_at IS NULL",
        {"user_id": user_id},
    ).fetchone()[0]


def delete_recovery_codes(conn, user_id):
    """Remove every recovery code of the user."""
    conn.execute("DELETE FROM recovery_codes WHERE user_id = :user_id", {"user_id": user_id})


def add_mfa_token(conn, *, token_hash, user_id, user_version, now, expires_at):
    """Store a new mfa_token (its hash); expired ones are swept out on the way."""
    conn.execute("DELETE FROM mfa_tokens WHERE expires_at < :now", {"now": to_db_time(now)})
    conn.execute(
        "INSERT INTO mfa_tokens (token_hash, user_id, user_version, expires_at)"
        " VALUES (:token_hash, :user_id, :user_version, :expires_at)",
        {
            "token_hash": token_hash,
            "user_id": user_id,
            "user_version": user_version,
            "expires_at": to_db_time(expires_at),
        },
    )


def get_mfa_token(conn, token_hash):
    """Return the mfa_token with this hash, or None."""
    row = conn.execute(
        "SELECT token_hash, user_id, user_version, expires_at, failures, spent_at"
        " FROM mfa_tokens WHERE token_hash = :token_hash",
        {"token_hash": token_hash},
    ).fetchone()
    if row is None:
        return None
    return MfaToken(
        row["token_hash"],
        row["user_id"],
        row["user_version"],
        from_db_time(row["expires_at"]),
        row["failures"],
        row["spent_at"] is not None,
    )


def count_mfa_token_failure(conn, token_hash):
    """Count one wrong code against an mfa_token."""
    conn.execute(
        "UPDATE mfa_tokens SET failures = failures + 1 WHERE token_hash = :token_hash",
        {"token_hash": token_hash},
    )


def spend_mfa_token(conn, *, token_hash, now, max_failures):
    """Spend a live mfa_token; True only for the one use that spent it."""
    return (
        conn.execute(
            "UPDATE mfa_tokens SET spent_at = :now WHERE token_hash = :token_hash"
            " AND spent_at IS NULL AND expires_at > :now AND failures < :max_failures",
            {"token_hash": token_hash, "now": to_db_time(now), "max_failures": max_failures},
        ).rowcount
        == 1
    )


def delete_mfa_tokens(conn, user_id):
    """End every pending MFA login of the user."""
    conn.execute("DELETE FROM mfa_tokens WHERE user_id = :user_id", {"user_id": user_id})
