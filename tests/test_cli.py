"""Operator commands: `flask db upgrade`, `flask users create-admin`, `flask sessions purge`
(app/cli.py), init_db.py."""

import os
import subprocess
import sys
from datetime import timedelta

import jwt
import pytest

from app import create_app, migrations
from app.database import PROJECT_ROOT, get_db, transaction
from app.models import to_db_time, utcnow
from app.repositories import login_failures
from app.repositories import users as users_repo
from app.services import authentication as auth_service
from tests.databases import query
from tests.helpers import PASSWORD

EMAIL = "boss@example.com"
CREATE_ADMIN = ["users", "create-admin", "--email", EMAIL, "--name", "Big Boss"]


def login(client, email=EMAIL, password=PASSWORD):
    return client.post("/login", json={"email": email, "password": password})


def find_user(app, email=EMAIL):
    with app.app_context():
        return users_repo.get_by_email(get_db(), email)


def run_init_db(database_url, *args):
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "init_db.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_db_upgrade_applies_pending_migrations(settings):
    result = create_app(settings).test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    expected = "".join(f"applied {m.name}\n" for m in migrations.discover())
    assert expected in result.output


def test_db_upgrade_on_current_database_applies_nothing(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "applied" not in result.output and "up to date" in result.output


@pytest.mark.engines("postgresql")
def test_db_upgrade_prints_the_database_without_its_password(settings):
    url = settings["DATABASE_URL"].replace("postgresql://", "postgresql://root:hush-hush@", 1)
    result = (
        create_app({**settings, "DATABASE_URL": url})
        .test_cli_runner()
        .invoke(args=["db", "upgrade"])
    )
    assert result.exit_code == 0, result.output
    assert "root:***@" in result.output and "hush-hush" not in result.output


@pytest.mark.parametrize("line_end", ["\n", "\r\n", ""])
def test_create_admin_from_stdin_creates_an_admin_who_can_log_in(runner, client, line_end):
    result = runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"], input=PASSWORD + line_end)
    assert result.exit_code == 0, result.output
    response = login(client)
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "admin"


def test_create_admin_reads_only_the_first_line(runner, app):
    result = runner.invoke(
        args=[*CREATE_ADMIN, "--password-stdin"], input=f"{PASSWORD}\nsecond line\n"
    )
    assert result.exit_code == 0, result.output
    assert find_user(app).role == "admin"


def test_create_admin_promotes_an_existing_user(runner, client, app, make_user):
    make_user(name="Was User", email=EMAIL)
    new_password = "a brand new admin passphrase"
    result = runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"], input=new_password + "\n")
    assert result.exit_code == 0, result.output
    assert "promoted" in result.output
    assert find_user(app).role == "admin"
    assert login(client, password=new_password).status_code == 200


def test_create_admin_reactivates_an_inactive_user(runner, app, make_user):
    make_user(email=EMAIL, is_active=False)
    runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"], input=PASSWORD + "\n")
    assert find_user(app).is_active


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "at least 15"),
        ("", "at least 15"),
        ("yfdbufnjh10305070", "too common"),
        ("boss-is-the-best-of-all", "email"),
        ("big boss is a good name", "name"),
    ],
)
def test_create_admin_with_weak_password_fails_clearly(runner, app, password, message):
    result = runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert "password" in result.output and message in result.output
    assert find_user(app) is None


def test_create_admin_with_invalid_email_fails_clearly(runner):
    result = runner.invoke(
        args=["users", "create-admin", "--email", "not-an-email", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "email" in result.output


def test_create_admin_prompts_twice_for_the_password(runner, client):
    result = runner.invoke(args=CREATE_ADMIN, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert login(client).status_code == 200


def test_create_admin_prompt_with_mismatch_creates_nothing(runner, app):
    result = runner.invoke(args=CREATE_ADMIN, input=f"{PASSWORD}\nsomething else entirely\n")
    assert result.exit_code != 0
    assert find_user(app) is None


def test_init_db_applies_the_migrations(database_url):
    result = run_init_db(database_url)
    assert "applied 0001_create_users" in result.stdout
    ledger = query(database_url, "SELECT version FROM schema_migrations ORDER BY version")
    versions = [row[0] for row in ledger]
    assert versions == [m.version for m in migrations.discover()]


def demo_accounts(stdout):
    """Parse the `role email password` lines that `init_db.py --demo` prints."""
    rows = [line.split() for line in stdout.splitlines()]
    return [row for row in rows if len(row) == 3 and row[0] in ("admin", "user")]


def test_init_db_demo_prints_passwords_that_log_in(settings, database_url):
    accounts = demo_accounts(run_init_db(database_url, "--demo").stdout)
    assert [role for role, _, _ in accounts] == ["admin", "user", "user"]
    client = create_app(settings).test_client()
    for role, email, password in accounts:
        response = login(client, email, password)
        assert response.status_code == 200, email
        assert response.get_json()["user"]["role"] == role


def test_init_db_demo_twice_leaves_existing_accounts_alone(settings, database_url):
    first = demo_accounts(run_init_db(database_url, "--demo").stdout)
    second = run_init_db(database_url, "--demo").stdout
    assert demo_accounts(second) == []
    client = create_app(settings).test_client()
    assert all(login(client, email, pw).status_code == 200 for _, email, pw in first)


# --- flask sessions purge -------------------------------------------------------------


def ago(**delta):
    return to_db_time(utcnow() - timedelta(**delta))


def seed_session(app, user, sql=None):
    """Log in, then age the new session's rows with `sql` (`:sid` names it); return the pair."""
    with app.app_context():
        pair = auth_service.login(user.email, PASSWORD)
        sid = jwt.decode(pair.access_token, options={"verify_signature": False})["sid"]
        if sql:
            get_db().execute(sql, {"sid": sid})
    return pair, sid


@pytest.fixture
def aged_sessions(app, user):
    """One live session and one of each kind the purge should or should not remove."""
    expire = f"UPDATE refresh_tokens SET expires_at = '{ago(seconds=1)}' WHERE session_id = :sid"
    revoke = "UPDATE sessions SET revoked_at = '{}' WHERE id = :sid"
    return {
        "live": seed_session(app, user),
        "expired": seed_session(app, user, expire),
        "long_revoked": seed_session(app, user, revoke.format(ago(days=2))),
        "just_revoked": seed_session(app, user, revoke.format(ago(hours=1))),
    }


def table(app, sql):
    with app.app_context():
        return {row[0] for row in get_db().execute(sql)}


def purge(runner):
    result = runner.invoke(args=["sessions", "purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_sessions_purge_deletes_expired_and_long_revoked_sessions(runner, app, aged_sessions):
    purge(runner)
    kept = {aged_sessions["live"][1], aged_sessions["just_revoked"][1]}
    assert table(app, "SELECT id FROM sessions") == kept
    assert table(app, "SELECT session_id FROM refresh_tokens") == kept


def test_sessions_purge_reports_what_it_deleted(runner, aged_sessions):
    assert purge(runner) == "1 refresh tokens, 2 sessions, 0 login failures deleted\n"


def test_sessions_purge_twice_deletes_nothing_more(runner, aged_sessions):
    purge(runner)
    assert purge(runner) == "0 refresh tokens, 0 sessions, 0 login failures deleted\n"


def test_sessions_purge_keeps_live_session_working(runner, client, aged_sessions):
    purge(runner)
    pair = aged_sessions["live"][0]
    assert (
        client.get(
            "/users/me", headers={"Authorization": f"Bearer {pair.access_token}"}
        ).status_code
        == 200
    )
    response = client.post("/token/refresh", json={"refresh_token": pair.refresh_token})
    assert response.status_code == 200


def test_sessions_purge_keeps_spent_tokens_for_reuse_detection(runner, app, client, user):
    pair, _ = seed_session(app, user)
    spend = {"refresh_token": pair.refresh_token}
    new = client.post("/token/refresh", json=spend).get_json()
    purge(runner)
    assert client.post("/token/refresh", json=spend).status_code == 401
    response = client.post("/token/refresh", json={"refresh_token": new["refresh_token"]})
    assert response.status_code == 401


def add_failure(app, account, *, ago):
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            login_failures.add_failure(conn, account=account, now=utcnow() - ago)


def add_block(app, account, *, ends_in):
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            login_failures.set_block(conn, account=account, level=0, until=utcnow() + ends_in)


@pytest.mark.parametrize(
    ("ago", "kept"),
    [
        (timedelta(seconds=901), False),
        (timedelta(seconds=60), True),
    ],
    ids=["older-than-window", "recent"],
)
def test_sessions_purge_deletes_only_stale_login_failures(runner, app, ago, kept):
    add_failure(app, "someone@example.com", ago=ago)
    output = purge(runner)
    assert table(app, "SELECT account FROM login_failures") == (
        {"someone@example.com"} if kept else set()
    )
    assert f"{0 if kept else 1} login failures deleted" in output


@pytest.mark.parametrize(
    ("ends_in", "kept"),
    [
        (timedelta(seconds=-901), False),
        (timedelta(seconds=-60), True),
        (timedelta(seconds=60), True),
    ],
    ids=["ended-long-ago", "ended-recently", "in-force"],
)
def test_sessions_purge_keeps_blocks_that_still_matter(runner, app, ends_in, kept):
    add_block(app, "someone@example.com", ends_in=ends_in)
    purge(runner)
    assert table(app, "SELECT account FROM login_blocks") == (
        {"someone@example.com"} if kept else set()
    )
