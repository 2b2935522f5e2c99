"""TOTP codes (RFC 6238 through pyotp), recovery codes and mfa_tokens.

The TOTP secret must be readable by the service, so it is stored encrypted with
Fernet under a key derived (HKDF) from SECRET_KEY; recovery codes and mfa_tokens
are stored only as SHA-256 hashes.
"""

import base64
import hashlib
import hmac
import secrets
import string

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DIGITS = 6
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_GROUPS = 4
RECOVERY_CODE_GROUP_LENGTH = 4
RECOVERY_ALPHABET = string.ascii_lowercase + string.digits


def secret_cipher(secret_key):
    """Return the Fernet cipher of TOTP secrets, keyed from SECRET_KEY."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"user-service totp secret"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(cipher, secret):
    """Return the stored form of a TOTP secret."""
    return cipher.encrypt(secret.encode()).decode()


def decrypt_secret(cipher, stored):
    """Return the TOTP secret of its stored form, or None when it cannot be read."""
    try:
        return cipher.decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def new_totp_secret():
    """Return a fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret, *, email, issuer):
    """Return the otpauth:// URI an authenticator app reads (SHA-1, 6 digits, 30 s)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def is_totp_code(code):
    """Tell whether a code has the shape of a TOTP code (6 digits)."""
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret, code, now):
    """Return the time step (now, one before or one after) the code is right for, or None."""
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def new_recovery_codes():
    """Return 10 fresh recovery codes such as `k3x9-2mfa-8q7d-0zte` (82 bits each)."""
    return [
        "-".join(
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_GROUP_LENGTH))
            for _ in range(RECOVERY_CODE_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def hash_recovery_code(code):
    """Return the stored form of a recovery code; input ignores `-`, spaces and case."""
    normalized = code.replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


def new_mfa_token():
    """Return a fresh opaque mfa_token (256 bits) and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_mfa_token(token)


def hash_mfa_token(token):
    """Return the stored form of an mfa_token."""
    return hashlib.sha256(token.encode()).hexdigest()
