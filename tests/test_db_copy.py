"""`flask db copy --from URL`: moving a database into the app's empty one (app/cli.py,
app/services/database_copy.py, app/repositories/copying.py).

The target is the app's database, on each engine; the source a SQLite file built by
the real service (or a PostgreSQL schema, where a test says so).
"""

import re
import shutil
import sqlite3
from types import SimpleNamespace

import pyotp
import pytest
from flask import current_app

from app import create_app, migrations
from app.database import get_db, transaction
from app.database.sqlite import sqlite_path
from app.models import utcnow
from app.repositories import login_failures
from app.repositories.copying import TABLES as COPIED_TABLES
from app.services import api_keys, passkeys, second_factors
from app.services import authentication as auth_service
from app.services import users as users_service
from app.services.domain_errors import AuthenticationFailed
from tests.databases import fresh_database, query
from tests.helpers import PASSWORD
from tests.servers import flask_cli, free_port, service_env
from tests.soft_authenticator import SoftAuthenticator

TABLES = (
    "users",
    "sessions",
    "refresh_tokens",
    "login_failures",
    "login_blocks",
    "totp_authenticators",
    "totp_used_steps",
    "recovery_codes",
    "passkeys",
    "mfa_tokens",
    "webauthn_challenges",
    "api_keys",
    "audit_events",
)
COPIED = (
    "copied 3 users, 1 sessions, 1 refresh tokens, 2 login failures, 1 login blocks,"
    " 1 totp authenticators, 1 totp used steps, 10 recovery codes, 1 passkeys, 1 mfa tokens,"
    " 1 webauthn challenges, 2 api keys, 16 audit events"
)
COPIED_COLUMNS = {table.name: table.columns for table in COPIED_TABLES}
STRANGER = "stranger@example.com"


@pytest.fixture
def source_url(request, tmp_path):
    """An empty source database: a SQLite file unless parametrized with another engine."""
    with fresh_database(getattr(request, "param", "sqlite"), tmp_path / "source") as url:
        yield url


@pytest.fixture
def source_app(settings, source_url):
    """The service on the source database, migrated; two failed logins block an account."""
    app = create_app({**settings, "DATABASE_URL": source_url, "LOGIN_MAX_FAILURES": 2})
    with app.app_context():
        migrations.upgrade(get_db())
    yield app
    app.extensions["db_pool"].close()


def register(name, email, role="user"):
    data = {"name": name, "email": email, "password": PASSWORD, "role": role}
    return users_service.register(data, actor=users_service.SYSTEM, notify=False)


@pytest.fixture
def source(source_app, source_url):
    """Users 1, 3, 4 (2 was deleted; 4 is disabled, its email changed), a session of 3,
    and a stranger's failed logins that started a back-off."""
    with source_app.app_context():
        admin = register("Ada Admin", "ada@example.com", role="admin")
        users_service.delete_user(users_service.SYSTEM, str(register("Dee", "dee@x.io").id))
        bob = register("Bob Builder", "bob@example.com")
        cy = register("Cy Gone", "cy@example.com")
        users_service.update_user(
            users_service.SYSTEM, str(cy.id), {"email": "cy@new.example.com", "is_active": False}
        )
        pair = auth_service.login(bob.email, PASSWORD)
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                auth_service.login(STRANGER, "wrong password, twice")
        add_second_factors(bob)
        key = add_api_keys(bob)
    return SimpleNamespace(
        url=source_url, admin=admin, bob=bob, refresh=pair.refresh_token, key=key
    )


def add_api_keys(user):
    """Two keys of `user`, the first revoked (ids 1 and 2); return the live one."""
    with current_app.test_request_context():
        revoked = api_keys.create(user, name="old", scopes=["users:read"])
        api_keys.revoke(user, "me", revoked.id)
        return api_keys.create(user, name="live", scopes=["users:write"], expires_in_days=30)


def add_second_factors(user):
    """TOTP (with its recovery codes) and a passkey; a pending MFA login and challenge."""
    with current_app.test_request_context():
        secret = second_factors.start_totp(user).secret
        second_factors.confirm_totp(user, pyotp.TOTP(secret).now())
        options = passkeys.registration_options(user)
        passkeys.register(user, SoftAuthenticator().create(options))
        auth_service.login(user.email, PASSWORD)
        passkeys.request_options()


def copy(runner, source_url, *args):
    return runner.invoke(args=["db", "copy", "--from", source_url, *args])


@pytest.fixture
def copied(runner, source):
    result = copy(runner, source.url)
    assert result.exit_code == 0, result.output
    return result


def rows(database_url, table):
    """The table's rows, in the columns a copy carries (PostgreSQL's users also have
    the generated search_text, which SQLite has no use for)."""
    columns = ", ".join(COPIED_COLUMNS[table])
    return sorted(query(database_url, f"SELECT {columns} FROM {table}"))


def login(client, email, password=PASSWORD):
    return client.post("/login", json={"email": email, "password": password})


def test_copy_prints_the_rows_copied_per_table(copied):
    assert copied.stdout == COPIED + "\n"


def test_copy_off_a_terminal_reports_progress_in_plain_lines_on_stderr(copied):
    total = sum(int(count) for count in re.findall(r"(\d+) ", COPIED))
    lines = copied.stderr.splitlines()
    assert lines[0] == f"copying rows: 0/{total} (0%)"
    assert lines[-1] == f"copying rows: {total}/{total} (100%)"


def test_copy_in_small_batches_keeps_every_row_as_it_was(runner, source, source_app, settings):
    now = utcnow()
    with source_app.app_context(), transaction(get_db()) as conn:
        for _ in range(3):  # equal rows: same account, same moment
            login_failures.add_failure(conn, account="twin@example.com", now=now)
    assert copy(runner, source.url, "--batch-size", "2").exit_code == 0
    for table in TABLES:
        assert rows(settings["DATABASE_URL"], table) == rows(source.url, table), table


def test_copy_keeps_the_events_of_deleted_users_and_continues_their_ids(copied, app, settings):
    events = rows(settings["DATABASE_URL"], "audit_events")
    assert [event[1] for event in events].count("user.deleted") == 1
    with app.app_context():
        register("Eve New", "eve@example.com")
    [(last,)] = query(settings["DATABASE_URL"], "SELECT max(id) FROM audit_events")
    assert last == len(events) + 1


def test_login_after_copy_accepts_every_copied_password(copied, client):
    assert login(client, "ada@example.com").get_json()["user"]["role"] == "admin"
    assert login(client, "bob@example.com").status_code == 200
    assert login(client, "cy@new.example.com").get_json()["code"] == "account_disabled"
    assert login(client, STRANGER, "any").status_code == 429  # its back-off came along


def test_refresh_after_copy_accepts_the_source_refresh_token(copied, client, source):
    response = client.post("/token/refresh", json={"refresh_token": source.refresh})
    assert response.status_code == 200
    assert response.get_json()["user"]["email"] == source.bob.email


def test_register_after_copy_gets_the_next_id(copied, client):
    body = {"name": "New Comer", "email": "new@example.com", "password": PASSWORD}
    assert client.post("/users", json=body).get_json()["id"] == 5
    assert login(client, "new@example.com").status_code == 200


def test_api_key_after_copy_still_works_and_the_next_gets_a_new_id(copied, client, source):
    key_headers = {"Authorization": f"Bearer {source.key.key}"}
    assert client.get("/users/me", headers=key_headers).get_json()["id"] == source.bob.id
    token = login(client, "ada@example.com").get_json()["access_token"]
    created = client.post(
        "/users/me/api-keys",
        headers={"Authorization": f"Bearer {token}"},
        json={"name": "after copy", "scopes": ["users:read"]},
    )
    assert created.get_json()["id"] == 3  # ids 1 (revoked) and 2 came along


@pytest.mark.parametrize("source_url", ["sqlite", "postgresql"], indirect=True)
def test_register_after_copy_never_reuses_a_deleted_users_id(runner, source, source_app, client):
    with source_app.app_context():
        newest = register("Newest Gone", "newest@example.com")
        users_service.delete_user(users_service.SYSTEM, str(newest.id))
    assert copy(runner, source.url).exit_code == 0
    body = {"name": "New Comer", "email": "new@example.com", "password": PASSWORD}
    assert client.post("/users", json=body).get_json()["id"] == newest.id + 1


def test_copy_into_unreachable_target_is_refused(settings, source):
    url = f"postgresql://127.0.0.1:{free_port()}/users"
    app = create_app({**settings, "DATABASE_URL": url, "DB_BUSY_TIMEOUT": 0.5})
    result = copy(app.test_cli_runner(), source.url)
    app.extensions["db_pool"].close()
    assert result.exit_code == 1 and "nothing was copied" in result.output


def test_list_after_copy_finds_the_copied_users(copied, client):
    token = login(client, "ada@example.com").get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    listing = client.get("/users", headers=headers).get_json()
    assert [user["id"] for user in listing["items"]] == [1, 3, 4]
    found = client.get("/users?q=builder", headers=headers).get_json()
    assert [user["email"] for user in found["items"]] == ["bob@example.com"]


def test_copy_into_unmigrated_target_upgrades_it_first(source, settings):
    app = create_app(settings)
    assert copy(app.test_cli_runner(), source.url).stdout == COPIED + "\n"
    with app.app_context():
        assert migrations.pending(get_db()) == []
    app.extensions["db_pool"].close()


def test_copy_into_non_empty_target_is_refused_and_changes_nothing(
    runner, source, make_user, settings
):
    make_user(email="already@example.com")
    before = {table: rows(settings["DATABASE_URL"], table) for table in TABLES}
    result = copy(runner, source.url)
    assert result.exit_code == 1
    assert "the target database is not empty (users, audit_events have rows)" in result.output
    assert {table: rows(settings["DATABASE_URL"], table) for table in TABLES} == before


def test_copy_from_unmigrated_source_is_refused(runner, settings, tmp_path):
    (tmp_path / "old" / "sqlite").mkdir(parents=True)
    shutil.copy(
        migrations.MIGRATIONS_DIR / "sqlite" / "0001_create_users.sql", tmp_path / "old" / "sqlite"
    )
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        migrations.upgrade(get_db(), directory=tmp_path / "old")
    app.extensions["db_pool"].close()
    result = copy(runner, f"sqlite:///{tmp_path / 'old.db'}")
    assert result.exit_code == 1
    assert "not fully migrated (pending: 0002_search_users" in result.output
    assert rows(settings["DATABASE_URL"], "users") == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///{tmp}/missing.db", "no database file at"),
        ("mysql://host/users", "nothing was copied: unsupported DATABASE_URL"),
    ],
)
def test_copy_from_unusable_source_is_refused_and_creates_nothing(runner, tmp_path, url, message):
    result = copy(runner, url.format(tmp=tmp_path))
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "missing.db").exists()


def test_copy_failing_midway_leaves_the_target_empty(runner, source, settings):
    with sqlite3.connect(sqlite_path(source.url)) as raw:  # foreign keys are off here
        raw.execute(
            "INSERT INTO sessions (id, user_id, user_version, created_at)"
            " VALUES ('orphan', 99, 0, '2020-01-01')"
        )
    raw.close()
    result = copy(runner, source.url)
    assert result.exit_code == 1 and "nothing was copied" in result.output
    assert all(rows(settings["DATABASE_URL"], table) == [] for table in TABLES)


@pytest.mark.parametrize("source_url", ["postgresql"], indirect=True)
def test_copy_from_postgresql_source_copies_every_row(runner, source, settings):
    assert copy(runner, source.url).exit_code == 0
    for table in TABLES:
        assert rows(settings["DATABASE_URL"], table) == rows(source.url, table), table


def test_copy_from_the_command_line_copies_into_database_url(source, settings, tmp_path):
    env = service_env(tmp_path / "unused.db", DATABASE_URL=settings["DATABASE_URL"])
    result = flask_cli(env, "db", "copy", "--from", source.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == COPIED + "\n"
    assert "copying rows: 41/41 (100%)" in result.stderr  # 16 of them audit events
