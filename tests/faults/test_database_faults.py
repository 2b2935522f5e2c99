"""A broken database under gunicorn -w 2: locked, read-only, deleted, garbage.

Every fault must answer 503 `service_unavailable` problem details (never a 500 and
never an acknowledged write that is not in the database file), show in `/health`,
and go away by itself once the fault does: the same workers, no restart.
"""

import itertools
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import DEFAULTS
from tests.faults.helpers import concurrently, create_admin, database_path, login, make_env, serve
from tests.faults.spoil import (
    GARBAGE,
    back_up,
    checkpoint,
    delete,
    exclusive_lock,
    immutable,
    in_file,
    overwrite,
    restore,
)
from tests.helpers import PASSWORD

pytestmark = pytest.mark.slow

ADMIN = "root@example.com"
BUSY_TIMEOUT = DEFAULTS["DB_BUSY_TIMEOUT"]
SPREAD = 6  # parallel requests: enough that both workers take some
emails = (f"fault{n}@example.com" for n in itertools.count())


@dataclass
class Service:
    server: object
    db: Path
    headers: dict

    def get_me(self):
        return self.server.request("GET", "/users/me", headers=self.headers)

    def register(self):
        body = {"name": "Fault Tester", "email": next(emails), "password": PASSWORD}
        return self.server.request("POST", "/users", body)

    def rename_me(self):
        return self.server.request("PATCH", "/users/me", {"name": "Renamed"}, headers=self.headers)

    def health(self):
        return self.server.request("GET", "/health")

    def workers(self):
        """The worker pids: the same set before and after means nothing restarted."""
        master = self.server.process.pid
        return set(Path(f"/proc/{master}/task/{master}/children").read_text().split())


@pytest.fixture
def service(tmp_path):
    """A production gunicorn -w 2 on a database file of its own folder, an admin logged in."""
    (tmp_path / "data").mkdir()
    env = make_env(tmp_path / "data")
    create_admin(env, ADMIN)
    with serve(env, tmp_path / "server.log") as server:
        headers, _ = login(server, ADMIN)
        service = Service(server, Path(database_path(env)), headers)
        spread(service.get_me)  # every worker holds a pooled connection now
        yield service


def spread(call, count=SPREAD):
    """Make `count` parallel calls, so that every worker answers some."""
    return concurrently(count, lambda _: call())


def mixed(service, count=SPREAD):
    """Parallel reads, writes and health checks."""
    calls = [service.get_me, service.register, service.rename_me, service.health]
    return concurrently(count, lambda i: calls[i % len(calls)]())


def assert_problem_503(answer):
    status, headers, body = answer
    assert status == 503, body
    assert headers["Content-Type"] == "application/problem+json"
    assert body["code"] == "service_unavailable"
    assert body["request_id"] == headers["X-Request-ID"]
    return headers, body


def assert_unavailable(answer):
    """A 503 `service_unavailable` problem that tells the client when to retry."""
    headers, _ = assert_problem_503(answer)
    assert headers["Retry-After"].isdigit()


def assert_health_unavailable(answer):
    """/health names the failing check (a probe, not a client: no Retry-After needed)."""
    _, body = assert_problem_503(answer)
    assert body["checks"]["database"] == "unavailable"


def assert_served(answers):
    assert [status for status, _, _ in answers if status not in (200, 201)] == [], answers


def assert_no_internal_error(answers):
    for answer in answers:
        if answer[0] >= 500:
            assert_problem_503(answer)


def test_locked_database_refuses_writes_until_released(service):
    workers = service.workers()
    with exclusive_lock(service.db):
        reads = spread(service.get_me)
        started = time.monotonic()
        writes = concurrently(2, lambda i: [service.register, service.rename_me][i]())
        waited = time.monotonic() - started
    for answer in writes:
        assert_unavailable(answer)
    assert waited >= BUSY_TIMEOUT * 0.9  # the lock outlived the busy timeout
    assert_served(reads)  # WAL: a writer's lock does not block readers
    assert_served(spread(service.register) + spread(service.rename_me))
    assert service.workers() == workers


def test_locked_database_shows_in_health(service):
    with exclusive_lock(service.db):
        during = service.health()
    assert_health_unavailable(during)
    assert service.health()[0] == 200


def test_read_only_database_refuses_writes_until_writable(service):
    """Database and WAL unwritable (-shm is shared memory, not data: an unwritable
    mapping kills the worker with SIGBUS, and no application can answer that)."""
    workers = service.workers()
    with immutable(service.db, f"{service.db}-wal"):
        reads = spread(service.get_me)
        writes = spread(service.register) + spread(service.rename_me)
    for answer in writes:
        assert_unavailable(answer)
    assert_served(reads)
    assert_served(spread(service.register) + spread(service.rename_me))
    assert service.workers() == workers


def test_read_only_database_shows_in_health(service):
    with immutable(service.db, f"{service.db}-wal"):
        during = service.health()
    assert_health_unavailable(during)
    assert service.health()[0] == 200


def test_deleted_database_never_answers_internal_error(service, tmp_path):
    """Workers keep the deleted file open (SQLite does); whatever they answer, no 500."""
    back_up(service.db, tmp_path / "backup.db")
    delete(service.db)
    answers = mixed(service) + mixed(service)
    restore(tmp_path / "backup.db", service.db)
    answers += mixed(service) + mixed(service)
    assert_no_internal_error(answers)


def test_deleted_database_refuses_writes(service):
    """Workers notice the file is gone: writes are refused, never acknowledged into the
    deleted file; /health fails (the path now holds an empty, unmigrated database)."""
    delete(service.db)
    for answer in spread(service.register) + spread(service.rename_me):
        assert_unavailable(answer)
    _, body = assert_problem_503(service.health())
    assert set(body["checks"].values()) != {"ok"}


def test_restored_database_is_served_without_restart(service, tmp_path):
    workers = service.workers()
    back_up(service.db, tmp_path / "backup.db")
    delete(service.db)
    restore(tmp_path / "backup.db", service.db)
    answers = spread(service.register)
    assert_served(answers)
    lost = [body["email"] for _, _, body in answers if not in_file(service.db, body["email"])]
    assert lost == []
    assert service.workers() == workers


def test_garbage_database_is_unavailable(service):
    checkpoint(service.db)
    overwrite(service.db, GARBAGE)
    for answer in spread(service.get_me) + spread(service.register):
        assert_unavailable(answer)
    assert_health_unavailable(service.health())


def test_garbage_database_recovers_when_restored(service):
    workers = service.workers()
    checkpoint(service.db)
    good = service.db.read_bytes()
    overwrite(service.db, GARBAGE)
    assert_no_internal_error(mixed(service) + mixed(service))
    overwrite(service.db, good)
    assert_served(spread(service.get_me) + spread(service.register))
    assert service.workers() == workers


def test_garbage_under_a_fresh_wal_is_unavailable(service):
    """The WAL still holds page 1, so SQLite finds a valid header and garbage behind it."""
    checkpoint(service.db, "PRAGMA user_version = 1")
    overwrite(service.db, GARBAGE)
    for answer in spread(service.get_me) + spread(service.register):
        assert_unavailable(answer)
    assert_health_unavailable(service.health())
