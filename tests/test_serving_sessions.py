"""Sessions and abuse limits under `gunicorn -w 2`: what one worker counts, the other sees."""

import itertools
import threading
import time

import pytest

from tests.faults.helpers import concurrently
from tests.helpers import ACCESS_LOG_FORMAT, PASSWORD, workers_answering
from tests.servers import Gunicorn, flask_cli, service_env

pytestmark = pytest.mark.slow

EMAIL = "worker@example.com"
RIGHT = {"email": EMAIL, "password": PASSWORD}
WRONG = {"email": EMAIL, "password": "not the right password at all"}


def make_env(tmp_path, **extra):
    """A migrated production database (a file unless DATABASE_URL is given); `extra` sets
    more environment variables."""
    env = service_env(tmp_path / "users.db", **extra)
    assert flask_cli(env, "db", "upgrade").returncode == 0
    return env


def access_log(path):
    """Gunicorn arguments that log the answering worker's pid with each request."""
    return ("--access-logfile", str(path), *ACCESS_LOG_FORMAT)


def wait_for_workers(server, log, count=2, seconds=20):
    """Send pairs of slow requests (logins of unknown accounts, hashed) at once until
    `count` workers have answered: a worker still booting answers nothing."""
    deadline = time.monotonic() + seconds
    for number in itertools.count():
        threads = [
            threading.Thread(target=login_as_new_account, args=(server, f"{number}-{i}"))
            for i in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        if len(workers_answering(log, "/login", "401")) >= count or time.monotonic() > deadline:
            return


def register(server):
    status, _, body = server.request(
        "POST", "/users", {"name": "Worker Test", "email": EMAIL, "password": PASSWORD}
    )
    assert status == 201, body


def test_login_backoff_is_counted_across_workers(tmp_path, database_url):
    log = tmp_path / "access.log"
    env = make_env(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_AUTH="0")
    with Gunicorn(env, workers=2, extra_args=access_log(log)) as server:
        wait_for_workers(server, log)
        register(server)
        for _ in range(5):
            assert server.request("POST", "/login", WRONG)[0] == 401
        for _ in range(10):  # two at once: one worker alone cannot answer both at once
            for status, headers, body in concurrently(
                2, lambda _: server.request("POST", "/login", RIGHT)
            ):
                assert (status, body.get("code")) == (429, "rate_limited")
                assert int(headers["Retry-After"]) > 0
    # Each worker saw fewer than 5 of the failures itself, yet both refused.
    assert len(workers_answering(log, "/login", "429")) == 2


def refresh_concurrently(server, refresh_token, count=8):
    barrier, statuses = threading.Barrier(count), []

    def attempt():
        barrier.wait()
        statuses.append(
            server.request("POST", "/token/refresh", {"refresh_token": refresh_token})[0]
        )

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


@pytest.mark.parametrize("extra_args", [(), ("--threads", "4")], ids=["sync", "threads"])
def test_refresh_race_across_workers_gives_one_success(tmp_path, database_url, extra_args):
    env = make_env(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_AUTH="0")
    with Gunicorn(env, workers=2, extra_args=extra_args) as server:
        register(server)
        _, _, pair = server.request("POST", "/login", RIGHT)
        assert refresh_concurrently(server, pair["refresh_token"]) == [200] + [401] * 7
        auth = {"Authorization": f"Bearer {pair['access_token']}"}
        assert server.request("GET", "/users/me", headers=auth)[0] == 401


def login_as_new_account(server, number, headers=None):
    body = {"email": f"nobody{number}@example.com", "password": PASSWORD}
    return server.request("POST", "/login", body, headers=headers)


def test_rate_limit_ignores_forged_forwarded_for(tmp_path):
    env = make_env(tmp_path, RATE_LIMIT_AUTH="3/minute")
    with Gunicorn(env, workers=1) as server:
        statuses = [
            login_as_new_account(server, n, {"X-Forwarded-For": f"203.0.113.{n}"})[0]
            for n in range(4)
        ]
    assert statuses == [401, 401, 401, 429]


def test_rate_limit_in_memory_holds_per_worker(tmp_path):
    # memory:// keeps counts in each process: two workers allow up to twice the limit.
    env = make_env(tmp_path, RATE_LIMIT_AUTH="3/minute")
    with Gunicorn(env, workers=2) as server:
        answers = [login_as_new_account(server, n) for n in range(10)]
    statuses = [status for status, _, _ in answers]
    assert 3 <= statuses.count(401) <= 6 and statuses.count(401) + statuses.count(429) == 10
    assert all(int(headers["Retry-After"]) > 0 for status, headers, _ in answers if status == 429)
