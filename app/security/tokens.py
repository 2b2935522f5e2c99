"""Access tokens (HS256 JWTs) and opaque refresh tokens."""

import functools
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import jwt

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "role", "sid", "iat", "exp", "jti", "iss", "aud")
# A paging cursor: an itsdangerous URL-safe signed value, `payload.signature` (a leading
# `.` when compressed). The cursor service checks it; the query schema documents it.
CURSOR_PATTERN = r"\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"


class InvalidAccessToken(Exception):
    """The token is malformed, forged, expired or not meant for this service."""


@dataclass(frozen=True)
class TokenSettings:
    key: str
    issuer: str
    audience: str
    ttl: int


def issue_access_token(settings, *, user_id, role, session_id, now, amr=("pwd",)):
    """Return a signed access token for a user's session (`amr`: RFC 8176 methods)."""
    claims = {
        "sub": str(user_id),
        "role": role,
        "sid": session_id,
        "amr": list(amr),
        "iat": now,
        "exp": now + timedelta(seconds=settings.ttl),
        "jti": secrets.token_urlsafe(16),
        "iss": settings.issuer,
        "aud": settings.audience,
    }
    return jwt.encode(claims, settings.key, algorithm=ALGORITHM)


def read_access_token(settings, token):
    """Return the verified claims of a token, or raise InvalidAccessToken."""
    claims = _verified_claims(settings, token)
    if claims["exp"] <= time.time():
        raise InvalidAccessToken("expired")
    return dict(claims)


MAX_USER_ID = 2**63 - 1  # the largest id either engine stores


@functools.lru_cache(maxsize=4096)
def _verified_claims(settings, token):
    """Verify a token once; the same token string seen again skips the signature check.

    Clients send one token many times, and checking it costs more than the rest of
    a read. Only tokens that verified are cached; expiry is checked on every use.
    """
    try:
        claims = jwt.decode(
            token,
            settings.key,
            algorithms=[ALGORITHM],
            issuer=settings.issuer,
            audience=settings.audience,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        claims["sub"] = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidAccessToken(str(error)) from None
    if not isinstance(claims["sid"], str):
        raise InvalidAccessToken("sid must be a string")
    # Signed by us, yet odd: PyJWT takes "exp": "123" (a string) and any integer `sub`.
    if not isinstance(claims["exp"], int | float) or isinstance(claims["exp"], bool):
        raise InvalidAccessToken("exp must be a number")
    if not 0 < claims["sub"] <= MAX_USER_ID:
        raise InvalidAccessToken("sub is out of range")
    return claims


def derive_key(secret_key):
    """Return the access-token signing key, derived so SECRET_KEY signs nothing directly."""
    return hmac.new(secret_key.encode(), b"access-token", hashlib.sha256).hexdigest()


def new_session_id():
    """Return a fresh, unguessable login-session id."""
    return secrets.token_urlsafe(16)


def new_refresh_token():
    """Return a fresh opaque refresh token (256 bits) and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token):
    """Return the stored form of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()
