"""Two gunicorn instances on one machine never share a metrics folder, and a metrics store
that fails never fails a request (issue 12, item 1)."""

import shutil
import time

import pytest

from app import migrations
from tests.helpers import PASSWORD
from tests.servers import Gunicorn, service_env
from tests.test_serving_observability import migrate

pytestmark = pytest.mark.slow

CONFIG = ("-c", "gunicorn.conf.py")
ACCOUNT = {"name": "Metrics Test", "email": "metrics@example.com", "password": PASSWORD}
LOGIN = {"email": ACCOUNT["email"], "password": PASSWORD}


def instance_env(tmp_path, **extra):
    """A migrated production database and a private TMPDIR shared by the instances of a
    test (as /tmp is on a real machine); BIND left at its default on purpose."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    database = tmp_path / "users.db"
    if not database.exists():
        migrate(database, migrations.discover())
    env = service_env(
        database, WEB_CONCURRENCY="1", RATE_LIMIT_AUTH="0", TMPDIR=str(tmp_path / "tmp"), **extra
    )
    for name in ("PROMETHEUS_MULTIPROC_DIR", "BIND"):
        env.pop(name, None)
    return env


def recycle_worker(server, requests=12):
    """Send more requests than --max-requests so the worker is replaced, then wait for the
    new one to answer."""
    for _ in range(requests):
        server.request("GET", "/health/live")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if server.request("GET", "/health/live")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)


@pytest.mark.parametrize("metrics", ["false", "true"])
def test_login_after_other_instance_stops_succeeds(tmp_path, metrics):
    env = instance_env(tmp_path, METRICS_ENABLED=metrics)
    recycling = (*CONFIG, "--max-requests", "5", "--max-requests-jitter", "0")
    with Gunicorn(env, workers=1, extra_args=recycling) as first:
        with Gunicorn(env, workers=1, extra_args=CONFIG) as second:
            assert second.request("POST", "/users", ACCOUNT)[0] == 201
        recycle_worker(first)
        status, _, body = first.request("POST", "/login", LOGIN)
        health = first.request("GET", "/health")[0]
    assert status == 200, body
    assert health == 200
    assert list((tmp_path / "tmp").iterdir()) == []


def test_metrics_off_touches_no_metrics_file(tmp_path):
    env = instance_env(tmp_path, METRICS_ENABLED="false")
    with Gunicorn(env, workers=1, extra_args=CONFIG) as server:
        server.request("POST", "/users", ACCOUNT)
        assert server.request("POST", "/login", LOGIN)[0] == 200
        assert server.request("POST", "/login", {**LOGIN, "password": "wrong" * 4})[0] == 401
        made = list((tmp_path / "tmp").rglob("*"))
    assert made == []


def test_login_with_metrics_store_gone_succeeds_and_health_reports_it(tmp_path):
    env = instance_env(tmp_path, METRICS_ENABLED="true")
    with Gunicorn(env, workers=1, extra_args=CONFIG) as server:
        assert server.request("POST", "/users", ACCOUNT)[0] == 201
        [folder] = (tmp_path / "tmp").iterdir()
        shutil.rmtree(folder)
        status, _, body = server.request("POST", "/login", LOGIN)
        wrong = server.request("POST", "/login", {**LOGIN, "password": "wrong" * 4})[0]
        health, _, checks = server.request("GET", "/health")
    assert (status, wrong) == (200, 401), body
    assert health == 503
    assert checks["checks"]["metrics"] == "unavailable"
