"""Operator commands: `flask db upgrade`, `flask users create-admin` (app/cli.py), init_db.py."""

import os
import sqlite3
import subprocess
import sys

import pytest

from app import create_app, migrations
from app.database import PROJECT_ROOT, get_db, sqlite_path
from app.repositories import users as users_repo
from tests.conftest import PASSWORD

EMAIL = "boss@example.com"
CREATE_ADMIN = ["users", "create-admin", "--email", EMAIL, "--name", "Big Boss"]


def login(client, email=EMAIL, password=PASSWORD):
    return client.post("/login", json={"email": email, "password": password})


def find_user(app, email=EMAIL):
    with app.app_context():
        return users_repo.get_by_email(get_db(), email)


def run_init_db(database_url, *args):
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "init_db.py", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)


def test_db_upgrade_applies_pending_migrations(settings):
    result = create_app(settings).test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    expected = "".join(f"applied {m.name}\n" for m in migrations.discover())
    assert expected in result.output


def test_db_upgrade_on_current_database_applies_nothing(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "applied" not in result.output and "up to date" in result.output


@pytest.mark.parametrize("line_end", ["\n", "\r\n", ""])
def test_create_admin_from_stdin_creates_an_admin_who_can_log_in(runner, client, line_end):
    result = runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"], input=PASSWORD + line_end)
    assert result.exit_code == 0, result.output
    response = login(client)
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "admin"


def test_create_admin_reads_only_the_first_line(runner, app):
    result = runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"],
                           input=f"{PASSWORD}\nsecond line\n")
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


@pytest.mark.parametrize("password, message", [
    ("short", "at least 15"), ("", "at least 15"), ("yfdbufnjh10305070", "too common"),
    ("boss-is-the-best-of-all", "email"), ("big boss is a good name", "name"),
])
def test_create_admin_with_weak_password_fails_clearly(runner, app, password, message):
    result = runner.invoke(args=[*CREATE_ADMIN, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert "password" in result.output and message in result.output
    assert find_user(app) is None


def test_create_admin_with_invalid_email_fails_clearly(runner):
    result = runner.invoke(args=["users", "create-admin", "--email", "not-an-email",
                                 "--password-stdin"], input=PASSWORD + "\n")
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
    with sqlite3.connect(sqlite_path(database_url)) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
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
