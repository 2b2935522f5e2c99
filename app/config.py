"""Settings read from the environment, with the defaults of the contract."""

import logging
import os
import secrets
from urllib.parse import urlsplit

from dotenv import load_dotenv
from flask.helpers import get_debug_flag

ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """The environment describes a configuration the service refuses to run."""


def _env(name, default):
    return os.environ.get(name, default)


def _int(name, default):
    value = _env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None


def _bool(name, default):
    return _env(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def _list(name):
    return [item.strip() for item in _env(name, "").split(",") if item.strip()]


def from_environment():
    """Return the settings dict for the current environment (reads `.env` once)."""
    load_dotenv(override=False)
    app_env = _env("APP_ENV", "development")
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}")
    settings = {
        "APP_ENV": app_env,
        "SECRET_KEY": _env("SECRET_KEY", ""),
        "DATABASE_URL": _env("DATABASE_URL", "sqlite:///instance/users.db"),
        "DB_POOL_SIZE": _int("DB_POOL_SIZE", 4),
        "DB_STATEMENT_TIMEOUT": _int("DB_STATEMENT_TIMEOUT", 10),
        # Empty means the default: console:// outside production, a refusal in it.
        "MAIL_URL": _env("MAIL_URL", "").strip(),
        "MAIL_FROM": _env("MAIL_FROM", "no-reply@localhost"),
        "PUBLIC_URL": _env("PUBLIC_URL", "http://127.0.0.1:5000"),
        "PASSWORD_RESET_URL": _env("PASSWORD_RESET_URL", ""),
        "EMAIL_VERIFY_URL": _env("EMAIL_VERIFY_URL", ""),
        "ACCESS_TOKEN_TTL": _int("ACCESS_TOKEN_TTL", 900),
        "REFRESH_TOKEN_TTL": _int("REFRESH_TOKEN_TTL", 1209600),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 15),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_FAILURE_WINDOW": _int("LOGIN_FAILURE_WINDOW", 900),
        "RATE_LIMIT_AUTH": _env("RATE_LIMIT_AUTH", "20/minute"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        # Read by Flask-Limiter itself: prefixes its keys, so deployments can share a Redis.
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", ""),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 65536),
        "CORS_ORIGINS": _list("CORS_ORIGINS"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO").upper(),
        # Unset: decided by APP_ENV once overrides are in (see build).
        "LOG_FORMAT": _env("LOG_FORMAT", None),
        "METRICS_ENABLED": _bool("METRICS_ENABLED", False),
        "METRICS_TOKEN": _env("METRICS_TOKEN", ""),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "REAUTH_MAX_AGE": _int("REAUTH_MAX_AGE", 300),
        "MFA_ISSUER": _env("MFA_ISSUER", "User service"),
        "WEBAUTHN_RP_ID": _env("WEBAUTHN_RP_ID", "localhost"),
        "WEBAUTHN_RP_NAME": _env("WEBAUTHN_RP_NAME", "User service"),
        "WEBAUTHN_ORIGINS": _list("WEBAUTHN_ORIGINS"),
        "AUDIT_RETENTION_DAYS": _int("AUDIT_RETENTION_DAYS", 365),
    }
    return settings


DEFAULTS = {
    "SERVICE_NAME": "user-service",
    "SERVICE_VERSION": "1.0.0",
    "JWT_ISSUER": "user-service",
    "JWT_AUDIENCE": "user-service-api",
    # Werkzeug's default method, spelled out so stored hashes can be compared to it.
    "PASSWORD_HASH_METHOD": "scrypt:32768:8:1",
    # Seconds to wait for a write lock (and, on PostgreSQL, for a pooled connection).
    "DB_BUSY_TIMEOUT": 5.0,
    "MAIL_TIMEOUT": 10,
    "MAIL_ATTEMPTS": 3,
    "MAIL_RETRY_DELAYS": (1, 4, 15),
    # Share of logins that also purge expired sessions and stale login counters.
    "SESSION_PURGE_PROBABILITY": 0.01,
    "TESTING": False,
}


def build(overrides=None):
    """Merge defaults, the environment and explicit overrides, then check them."""
    settings = {**DEFAULTS, **from_environment(), **(overrides or {})}
    settings["TESTING"] = settings["TESTING"] or settings["APP_ENV"] == "testing"
    if settings["LOG_FORMAT"] is None:
        # Readable lines for a developer at a terminal; one JSON object a line elsewhere.
        settings["LOG_FORMAT"] = "text" if settings["APP_ENV"] == "development" else "json"
    _apply_secret_rules(settings)
    _apply_mail_rules(settings)
    if not settings["WEBAUTHN_ORIGINS"]:
        settings["WEBAUTHN_ORIGINS"] = [origin_of(settings["PUBLIC_URL"])]
    _check(settings)
    return settings


def _apply_mail_rules(settings):
    """Production mails for real: console:// would print reset tokens to the log."""
    url = settings["MAIL_URL"]
    if settings["APP_ENV"] != "production":
        settings["MAIL_URL"] = url or "console://"
    elif not url or url.partition("://")[0].lower() == "console":
        raise ConfigError(
            "APP_ENV=production needs MAIL_URL (smtp://, smtp+starttls:// or file://); "
            "without it, empty or console:// it would print reset tokens to the log"
        )


def origin_of(url):
    """Return the origin (scheme://host[:port]) of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _apply_secret_rules(settings):
    secret = settings["SECRET_KEY"]
    if settings["APP_ENV"] == "production":
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"APP_ENV=production needs a SECRET_KEY of at least {MIN_SECRET_BYTES} bytes"
            )
    elif not secret:
        settings["SECRET_KEY"] = secrets.token_urlsafe(MIN_SECRET_BYTES)


def _check(settings):
    if settings["APP_ENV"] == "production" and get_debug_flag():
        raise ConfigError("APP_ENV=production never runs the debugger; unset FLASK_DEBUG")
    if settings["LOG_LEVEL"] not in logging.getLevelNamesMapping():
        raise ConfigError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    if settings["PASSWORD_MIN_LENGTH"] < 8:
        raise ConfigError("PASSWORD_MIN_LENGTH may not be lower than 8")
    if settings["LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError("LOG_FORMAT must be json or text")
    if settings["DB_STATEMENT_TIMEOUT"] < 0:
        raise ConfigError("DB_STATEMENT_TIMEOUT must be 0 (no limit) or more")
    for name in (
        "ACCESS_TOKEN_TTL",
        "REFRESH_TOKEN_TTL",
        "MAX_CONTENT_LENGTH",
        "LOGIN_MAX_FAILURES",
        "LOGIN_FAILURE_WINDOW",
        "DB_POOL_SIZE",
        "REAUTH_MAX_AGE",
        "AUDIT_RETENTION_DAYS",
    ):
        if settings[name] <= 0:
            raise ConfigError(f"{name} must be positive")
    if settings["REFRESH_TOKEN_TTL"] < settings["ACCESS_TOKEN_TTL"]:
        raise ConfigError("REFRESH_TOKEN_TTL may not be shorter than ACCESS_TOKEN_TTL")
