"""Logging in and recognising the caller of a request."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import sessions as sessions_repo
from app.repositories import users as users_repo
from app.security import tokens
from app.security.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from app.services.errors import AuthenticationFailed, PermissionDenied


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: object
    token_type: str = "Bearer"


def login(email, password):
    """Check credentials and open a new session; return its token pair."""
    conn = get_db()
    method = current_app.config["PASSWORD_HASH_METHOD"]
    user = users_repo.get_by_email(conn, email)
    if user is None:
        verify_dummy(password, method)
        raise _bad_credentials()
    if not verify_password(user.password_hash, password):
        raise _bad_credentials()
    if not user.is_active:
        raise PermissionDenied("This account is disabled.", code="account_disabled")
    with transaction(conn):
        if needs_rehash(user.password_hash, method):
            user = users_repo.update(conn, user.id, now=utcnow(), changes={
                "password_hash": hash_password(password, method)})
        return _open_session(conn, user)


def authenticate(access_token):
    """Return the live user an access token belongs to, or raise AuthenticationFailed."""
    try:
        claims = tokens.read_access_token(token_settings(), access_token)
    except tokens.InvalidAccessToken:
        raise AuthenticationFailed("The access token is invalid or has expired.") from None
    user = users_repo.get_by_session(get_db(), user_id=claims["sub"], session_id=claims["sid"])
    if user is None or not user.is_active:
        raise AuthenticationFailed("The access token has been revoked.")
    return user


def _open_session(conn, user):
    now = utcnow()
    session_id = tokens.new_session_id()
    sessions_repo.create(conn, session_id=session_id, user_id=user.id,
                         user_version=user.token_version, now=now)
    refresh_token, refresh_hash = tokens.new_refresh_token()
    ttl = current_app.config["REFRESH_TOKEN_TTL"]
    sessions_repo.add_refresh_token(conn, token_hash=refresh_hash, session_id=session_id,
                                    expires_at=now + timedelta(seconds=ttl))
    settings = token_settings()
    access_token = tokens.issue_access_token(
        settings, user_id=user.id, role=user.role, session_id=session_id, now=now)
    return TokenPair(access_token, refresh_token, settings.ttl, user)


def token_settings():
    """Return the app's access-token settings (built once per app)."""
    cached = current_app.extensions.get("token_settings")
    if cached is None:
        config = current_app.config
        key = hmac.new(config["SECRET_KEY"].encode(), b"access-token", hashlib.sha256)
        cached = tokens.TokenSettings(key.hexdigest(), config["JWT_ISSUER"],
                                      config["JWT_AUDIENCE"], config["ACCESS_TOKEN_TTL"])
        current_app.extensions["token_settings"] = cached
    return cached


def _bad_credentials():
    return AuthenticationFailed("The email or password is wrong.", code="invalid_credentials")
