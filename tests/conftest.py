"""Fixtures: an app on a fresh database with migrations applied, users, tokens.

Every test that uses the database runs on each engine: `[sqlite]` on a temp file,
`[postgresql]` on a schema of its own (skipped unless TEST_DATABASE_URL is set).
Mark a test `@pytest.mark.engines("sqlite")` where it is about one engine only.
"""

import collections
import itertools

import pytest

from app import create_app, migrations
from app.database import get_db
from app.services import api_keys as api_keys_service
from app.services import authentication as auth_service
from app.services import users as users_service
from tests.databases import ENGINES, fresh_database
from tests.helpers import PASSWORD

TEST_SETTINGS = {
    "APP_ENV": "testing",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    # Fast hashes keep the suite quick; production uses Werkzeug's default.
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    "CORS_ORIGINS": [],
    "MAX_CONTENT_LENGTH": 65536,
    "PASSWORD_MIN_LENGTH": 15,
    # Per-client limits are tested on their own; elsewhere they would only get in the way.
    "RATE_LIMIT_AUTH": "0",
    "SESSION_PURGE_PROBABILITY": 0.0,
    "PUBLIC_URL": "https://users.example",
}


def pytest_generate_tests(metafunc):
    """Run every test that touches the database once per engine."""
    if "database_url" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("engines")
        engines = marker.args if marker else ENGINES
        metafunc.parametrize("database_url", engines, indirect=True, ids=engines)


def pytest_terminal_summary(terminalreporter):
    """One line per reason for skipping (pytest's own -rs would list every test)."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = collections.Counter(
        report.longrepr[2] for report in skipped if isinstance(report.longrepr, tuple)
    )
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"SKIPPED {count}: {reason}")


@pytest.fixture
def database_url(request, tmp_path):
    """A fresh, empty database of the engine the test is parametrized with."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def mail_dir(tmp_path):
    """Where the app under test writes its mail (MAIL_URL=file://...)."""
    return tmp_path / "mail"


@pytest.fixture
def settings(request, database_url, mail_dir):
    """Settings for the app under test.

    Change them for a test with `@pytest.mark.parametrize("settings", [{...}], indirect=True)`.
    """
    base = {**TEST_SETTINGS, "DATABASE_URL": database_url, "MAIL_URL": f"file://{mail_dir}"}
    return {**base, **getattr(request, "param", {})}


@pytest.fixture
def app(settings):
    app = create_app(settings)
    with app.app_context():
        migrations.upgrade(get_db())
    yield app
    app.extensions["db_pool"].close()


@pytest.fixture
def client(app):
    """A test client of the app: each request has its own app and request context, as
    under a real server."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user directly through the service; returns the user."""
    counter = itertools.count(1)

    def make(name=None, email=None, password=PASSWORD, role="user", is_active=True):
        number = next(counter)
        data = {
            "name": name or f"Test User {number}",
            "email": email or f"user{number}@example.com",
            "password": password,
            "role": role,
            "is_active": is_active,
        }
        with app.app_context():
            return users_service.register(data, actor=users_service.SYSTEM)

    return make


@pytest.fixture
def login(app):
    """Log a user in through the service; returns Authorization headers."""

    def log_in(user, password=PASSWORD):
        with app.app_context():
            pair = auth_service.login(user.email, password)
        return {"Authorization": f"Bearer {pair.access_token}"}

    return log_in


@pytest.fixture
def user(make_user):
    return make_user(name="Regular User", email="regular@example.com")


@pytest.fixture
def admin(make_user):
    return make_user(name="Admin User", email="admin@example.com", role="admin")


@pytest.fixture
def user_headers(user, login):
    return login(user)


@pytest.fixture
def admin_headers(admin, login):
    return login(admin)


@pytest.fixture
def make_api_key(app):
    """Create an API key for a user through the service; returns Authorization headers."""

    def make(owner, scopes=("scim",)):
        with app.app_context():
            new_key = api_keys_service.create(owner, name="test key", scopes=scopes)
        return {"Authorization": f"Bearer {new_key.key}"}

    return make


@pytest.fixture
def scim_headers(admin, make_api_key):
    """Authorization headers of a SCIM caller: an admin's key with the `scim` scope."""
    return make_api_key(admin)
