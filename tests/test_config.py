"""Settings from the environment, with the contract's defaults and refusals (app/config.py)."""

import contextlib
import json
import logging

import pytest
from flask.cli import ScriptInfo

from app import config, create_app
from app.config import ConfigError
from app.database import PROJECT_ROOT
from app.database.sqlite import sqlite_path

CONTRACT_VARIABLES = [
    "APP_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "MAIL_URL",
    "MAIL_FROM",
    "PASSWORD_RESET_URL",
    "EMAIL_VERIFY_URL",
    "ACCESS_TOKEN_TTL",
    "REFRESH_TOKEN_TTL",
    "PASSWORD_MIN_LENGTH",
    "LOGIN_MAX_FAILURES",
    "LOGIN_FAILURE_WINDOW",
    "RATE_LIMIT_AUTH",
    "RATELIMIT_STORAGE_URI",
    "MAX_CONTENT_LENGTH",
    "CORS_ORIGINS",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "METRICS_ENABLED",
    "METRICS_TOKEN",
    "TRUSTED_PROXIES",
    "DB_POOL_SIZE",
    "DB_STATEMENT_TIMEOUT",
    "REAUTH_MAX_AGE",
    "MFA_ISSUER",
    "WEBAUTHN_RP_ID",
    "WEBAUTHN_RP_NAME",
    "WEBAUTHN_ORIGINS",
    "PUBLIC_URL",
]
LONG_SECRET = "s" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No contract variable set and no `.env` read, but a database file under tmp_path."""
    for name in [*CONTRACT_VARIABLES, "FLASK_DEBUG"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "load_dotenv", lambda **kwargs: False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'users.db'}")


@pytest.mark.parametrize("secret", [None, "", "s" * 31, "é" * 15])
def test_production_without_long_secret_is_refused(monkeypatch, secret):
    monkeypatch.setenv("APP_ENV", "production")
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("secret", [LONG_SECRET, "é" * 16])
def test_production_with_secret_of_32_bytes_starts(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MAIL_URL", f"file://{tmp_path / 'mail'}")
    monkeypatch.setenv("SECRET_KEY", secret)
    assert create_app().config["SECRET_KEY"] == secret


def test_production_without_secret_is_refused_also_through_overrides():
    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "production"})


def test_production_never_runs_a_debugger(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("MAIL_URL", f"file://{tmp_path / 'mail'}")
    monkeypatch.setenv("SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    try:
        app = ScriptInfo(create_app=create_app).load_app()  # as `flask run` loads it
    except ConfigError:
        return
    assert not app.debug


@pytest.mark.parametrize("mail_url", [None, "", "  ", "console://", "CONSOLE://"])
def test_production_without_real_mail_url_is_refused(monkeypatch, mail_url):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", LONG_SECRET)
    if mail_url is not None:
        monkeypatch.setenv("MAIL_URL", mail_url)
    with pytest.raises(ConfigError, match="MAIL_URL"):
        create_app()


@pytest.mark.parametrize("app_env", ["development", "testing"])
def test_missing_mail_url_outside_production_is_console(monkeypatch, app_env):
    monkeypatch.setenv("APP_ENV", app_env)
    assert create_app().config["MAIL_URL"] == "console://"


@pytest.mark.parametrize("app_env", ["development", "testing"])
def test_missing_secret_outside_production_is_random(monkeypatch, app_env):
    monkeypatch.setenv("APP_ENV", app_env)
    first, second = (create_app().config["SECRET_KEY"] for _ in range(2))
    assert first != second
    assert len(first.encode()) >= config.MIN_SECRET_BYTES


def test_given_secret_in_development_is_kept(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short-dev-secret")
    assert create_app().config["SECRET_KEY"] == "short-dev-secret"


@pytest.mark.parametrize(
    "name, value",
    [
        ("APP_ENV", "staging"),
        ("APP_ENV", "Production"),
        ("APP_ENV", ""),
        ("PASSWORD_MIN_LENGTH", "7"),
        ("PASSWORD_MIN_LENGTH", "0"),
        ("PASSWORD_MIN_LENGTH", "eight"),
        ("ACCESS_TOKEN_TTL", "0"),
        ("REFRESH_TOKEN_TTL", "-1"),
        ("MAX_CONTENT_LENGTH", "0"),
        ("MAX_CONTENT_LENGTH", "64k"),
        ("LOG_FORMAT", "xml"),
        ("LOGIN_MAX_FAILURES", "five"),
        ("DB_POOL_SIZE", "0"),
        ("DB_POOL_SIZE", "many"),
        ("DB_STATEMENT_TIMEOUT", "-1"),
        ("REAUTH_MAX_AGE", "0"),
        ("REAUTH_MAX_AGE", "5m"),
    ],
)
def test_bad_environment_value_is_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_second_factor_settings_have_the_contract_defaults():
    settings = create_app().config
    assert settings["REAUTH_MAX_AGE"] == 300
    assert settings["MFA_ISSUER"] == "User service"
    assert (settings["WEBAUTHN_RP_ID"], settings["WEBAUTHN_RP_NAME"]) == (
        "localhost",
        "User service",
    )
    assert settings["WEBAUTHN_ORIGINS"] == ["http://127.0.0.1:5000"]


def test_webauthn_origins_default_to_the_origin_of_public_url(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://users.example:8443/api/")
    assert create_app().config["WEBAUTHN_ORIGINS"] == ["https://users.example:8443"]


def test_webauthn_origins_are_read_as_a_list(monkeypatch):
    monkeypatch.setenv("WEBAUTHN_ORIGINS", "https://a.example, https://b.example")
    assert create_app().config["WEBAUTHN_ORIGINS"] == ["https://a.example", "https://b.example"]


def test_unknown_log_level_is_refused(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        create_app()


@contextlib.contextmanager
def bare_root_logger():
    """Let the app configure logging as in a fresh process: no root handlers yet."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        yield
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def boom():
    raise RuntimeError("secret-detail")


def test_log_format_json_writes_one_object_a_line_with_request_id(monkeypatch, capsys):
    monkeypatch.setenv("LOG_FORMAT", "json")
    with bare_root_logger():
        app = create_app()
        app.add_url_rule("/boom", "boom", boom)
        response = app.test_client().get("/boom")
        lines = capsys.readouterr().err.splitlines()
    records = [json.loads(line) for line in lines]
    assert response.headers["X-Request-ID"] in [r.get("request_id") for r in records]


def test_password_min_length_override_below_8_is_refused():
    with pytest.raises(ConfigError, match="PASSWORD_MIN_LENGTH"):
        create_app({"PASSWORD_MIN_LENGTH": 7})


def test_password_min_length_of_8_is_accepted(monkeypatch):
    monkeypatch.setenv("PASSWORD_MIN_LENGTH", "8")
    assert create_app().config["PASSWORD_MIN_LENGTH"] == 8


def test_database_url_default_is_the_instance_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    url = config.build()["DATABASE_URL"]
    assert url == "sqlite:///instance/users.db"
    assert sqlite_path(url) == PROJECT_ROOT / "instance" / "users.db"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://[::1",
        "postgresql://db.example/users?bogus=1",
        "postgresql://u:hush%zzhush@db.example/users",
        "postgresql+psycopg://u:hush-hush@db/users",
    ],
)
def test_malformed_database_url_is_refused_without_its_password(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ValueError, match="DATABASE_URL") as refused:
        create_app()
    assert "hush" not in str(refused.value)


def test_postgresql_url_opens_no_connection_at_start_up(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody.invalid:5432/users")
    assert create_app().config["DATABASE_URL"].startswith("postgresql://")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("APP_ENV", "development"),
        ("MAIL_URL", "console://"),
        ("MAIL_FROM", "no-reply@localhost"),
        ("ACCESS_TOKEN_TTL", 900),
        ("REFRESH_TOKEN_TTL", 1209600),
        ("PASSWORD_MIN_LENGTH", 15),
        ("LOGIN_MAX_FAILURES", 5),
        ("LOGIN_FAILURE_WINDOW", 900),
        ("RATE_LIMIT_AUTH", "20/minute"),
        ("RATELIMIT_STORAGE_URI", "memory://"),
        ("MAX_CONTENT_LENGTH", 65536),
        ("CORS_ORIGINS", []),
        ("LOG_LEVEL", "INFO"),
        ("LOG_FORMAT", "text"),
        ("METRICS_ENABLED", False),
        ("METRICS_TOKEN", ""),
        ("TRUSTED_PROXIES", 0),
        ("DB_POOL_SIZE", 4),
        ("DB_STATEMENT_TIMEOUT", 10),
    ],
)
def test_setting_default_is_the_contracts(name, expected):
    assert config.build()[name] == expected


@pytest.mark.parametrize(
    "app_env, expected",
    [
        ("development", "text"),
        ("testing", "json"),
        ("production", "json"),
    ],
)
def test_log_format_default_is_text_only_in_development(monkeypatch, app_env, expected):
    monkeypatch.setenv("APP_ENV", app_env)
    monkeypatch.setenv("SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("MAIL_URL", "smtp://127.0.0.1:25")
    assert config.build()["LOG_FORMAT"] == expected


def test_log_format_default_follows_app_env_given_as_override():
    assert config.build({"APP_ENV": "testing"})["LOG_FORMAT"] == "json"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        (
            "CORS_ORIGINS",
            "https://a.example, https://b.example,",
            ["https://a.example", "https://b.example"],
        ),
        ("MAX_CONTENT_LENGTH", "1024", 1024),
        ("ACCESS_TOKEN_TTL", "60", 60),
        ("METRICS_ENABLED", "true", True),
        ("METRICS_ENABLED", "1", True),
        ("METRICS_ENABLED", "false", False),
        ("LOG_LEVEL", "debug", "DEBUG"),
        ("LOG_FORMAT", "text", "text"),
        ("APP_ENV", "testing", "testing"),
        ("DB_POOL_SIZE", "8", 8),
        ("DB_STATEMENT_TIMEOUT", "0", 0),
    ],
)
def test_setting_is_read_from_the_environment(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    assert config.build()[name] == expected


def test_testing_environment_sets_flask_testing(monkeypatch):
    monkeypatch.setenv("APP_ENV", "testing")
    assert create_app().testing
