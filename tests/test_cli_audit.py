"""`flask audit prune`: deletes events older than AUDIT_RETENTION_DAYS, in batches."""

import os
import pty
import subprocess
import sys
from datetime import timedelta

import pytest

from app.database import PROJECT_ROOT
from app.models import to_db_time, utcnow
from tests.databases import query

OLD_EVENTS = 5


@pytest.fixture
def aged(settings, make_user, admin):
    """OLD_EVENTS events made 400 days old, beside the admin's fresh registration."""
    url = settings["DATABASE_URL"]
    for _ in range(OLD_EVENTS):
        make_user()
    old = to_db_time(utcnow() - timedelta(days=400))
    query(
        url,
        "UPDATE audit_events SET occurred_at = :old WHERE subject_id <> :admin",
        {"old": old, "admin": admin.id},
    )
    return url


def remaining(url):
    return [row[0] for row in query(url, "SELECT type FROM audit_events")]


def test_prune_deletes_only_events_past_retention_in_batches(runner, aged):
    result = runner.invoke(args=["audit", "prune", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [f"removed {n} of {OLD_EVENTS} audit events so far" for n in (2, 4, 5)]
    assert lines[-1].startswith(f"removed {OLD_EVENTS} audit events older than ")
    assert remaining(aged) == ["user.registered"]


@pytest.mark.parametrize("settings", [{"AUDIT_RETENTION_DAYS": 500}], indirect=True)
def test_prune_keeps_events_within_a_longer_retention(runner, aged):
    result = runner.invoke(args=["audit", "prune"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("removed 0 audit events")
    assert len(remaining(aged)) == OLD_EVENTS + 1


def test_prune_refuses_batches_over_ten_thousand(runner):
    result = runner.invoke(args=["audit", "prune", "--batch-size", "10001"])
    assert result.exit_code == 2


@pytest.mark.engines("sqlite")
def test_prune_on_a_terminal_shows_a_progress_bar(aged):
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": aged, "LOG_LEVEL": "ERROR"}
    primary, secondary = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "flask", "audit", "prune"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=secondary,
        stderr=subprocess.DEVNULL,
    ) as process:
        os.close(secondary)
        output = b""
        while chunk := _read(primary):
            output += chunk
        assert process.wait(timeout=60) == 0
    os.close(primary)
    text = output.decode()
    assert "pruning audit events" in text and "100%" in text
    assert f"removed {OLD_EVENTS} audit events older than" in text


def _read(fd):
    try:
        return os.read(fd, 4096)
    except OSError:  # the terminal closed with the process
        return b""


def test_create_admin_promoting_a_user_stores_its_changes_with_no_actor(
    runner, make_user, settings
):
    promoted = make_user(email="promoted@example.com")
    result = runner.invoke(
        args=["users", "create-admin", "--email", promoted.email, "--password-stdin"],
        input="another long passphrase 42\n",
    )
    assert result.exit_code == 0, result.output
    rows = query(
        settings["DATABASE_URL"],
        "SELECT type, actor_id, subject_id, details"
        " FROM audit_events WHERE subject_id = :id AND type <> 'user.registered'"
        " ORDER BY id",
        {"id": promoted.id},
    )
    assert rows == [
        ("password.changed", None, promoted.id, "{}"),
        ("user.role_changed", None, promoted.id, '{"role": "admin"}'),
    ]
