"""Signed, expiring tokens mailed to users: password reset and email verification.

Nothing is stored: a reset token carries a fingerprint of the password hash, so it
dies as soon as the password changes (it is single use), and the count of email changes,
so it dies when the email changes (it was mailed to a former address); a verification token
carries the address it was sent to and the count of email changes, so it cannot
verify a later address, nor the same one again after it changed away and back.
"""

import hashlib

from itsdangerous import BadData, URLSafeTimedSerializer

RESET_SALT = "password-reset"
VERIFY_SALT = "email-verification"
RESET_MAX_AGE = 3600
VERIFY_MAX_AGE = 7 * 24 * 3600


class InvalidAccountToken(Exception):
    """The token is tampered, expired or not of the expected kind."""


def password_fingerprint(password_hash):
    """Return a short digest that changes whenever the password hash does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def make_reset_token(secret_key, user):
    """Return a reset token for the user's current password and address."""
    payload = {
        "uid": user.id,
        "pw": password_fingerprint(user.password_hash),
        "v": user.email_version,
    }
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT).dumps(payload)


def make_verification_token(secret_key, user):
    """Return a token that verifies the user's current address."""
    payload = {"uid": user.id, "email": user.email, "v": user.email_version}
    return URLSafeTimedSerializer(secret_key, salt=VERIFY_SALT).dumps(payload)


def read_reset_token(secret_key, token):
    """Return (user id, password fingerprint, email version) of a reset token."""
    data = _load(secret_key, token, RESET_SALT, RESET_MAX_AGE, "pw")
    if not _is_count(data.get("v")):
        raise InvalidAccountToken()
    return data["uid"], data["pw"], data["v"]


def read_verification_token(secret_key, token):
    """Return (user id, address, email version) of a verification token."""
    data = _load(secret_key, token, VERIFY_SALT, VERIFY_MAX_AGE, "email")
    if not _is_count(data.get("v")):
        raise InvalidAccountToken()
    return data["uid"], data["email"], data["v"]


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _load(secret_key, token, salt, max_age, field):
    try:
        data = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age)
    except (BadData, UnicodeError, ValueError):
        raise InvalidAccountToken() from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("uid"), int)
        and isinstance(data.get(field), str)
    ):
        raise InvalidAccountToken()
    return data
