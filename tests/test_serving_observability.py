"""Observability under gunicorn with gunicorn.conf.py: metrics summed over workers,
JSON access lines on stderr, readiness with a pending migration."""

import http.client
import json
import os
import re
import signal
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import migrations
from app.database.sqlite import connect
from tests.servers import Gunicorn, free_port, service_env

pytestmark = pytest.mark.slow

CONFIG = ("-c", "gunicorn.conf.py")
REQUESTS_TOTAL = "user_service_http_requests_total"


class LoggedGunicorn(Gunicorn):
    """Gunicorn whose stderr lines can be read, during the run and after exit (`lines`)."""

    @property
    def lines(self):
        if self.stderr.closed:
            return self._kept
        self.stderr.seek(0)
        return [raw.decode("utf-8", "replace").rstrip("\n") for raw in self.stderr]

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)
        self._kept = self.lines
        self.stderr.close()

    def json_lines(self, **match):
        objects = [json.loads(line) for line in self.lines if line.startswith("{")]
        return [obj for obj in objects if all(obj.get(k) == v for k, v in match.items())]


def on_both_workers(server, path):
    """GET `path` on two connections open at once: a busy sync worker takes no second one,
    so each worker answers one. Returns the two response bodies."""
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(2)]
    try:
        for conn in conns:
            conn.connect()
        time.sleep(0.05)  # let each worker accept its connection
        for conn in conns:
            conn.request("GET", path)
        return [conn.getresponse().read().decode() for conn in conns]
    finally:
        for conn in conns:
            conn.close()


def serve_until_workers_counted(server, folder, workers=2):
    """Send paired requests until each worker has a metrics file, then one pair more: all
    are up and at least two requests are counted (a worker may make its file at start)."""
    deadline = time.monotonic() + 30
    while len(list(folder.glob("**/counter_*.db"))) < workers:
        assert time.monotonic() < deadline, "a worker never answered"
        on_both_workers(server, "/health/live")
    on_both_workers(server, "/health/live")


def counted(metrics_text, route):
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == REQUESTS_TOTAL and sample.labels["route"] == route
    )


@pytest.fixture
def production(tmp_path):
    """A migrated production database, served with metrics on; gunicorn.conf.py makes
    its metrics folder in `tmp_path / "tmp"`."""
    (tmp_path / "tmp").mkdir()
    env = service_env(
        tmp_path / "users.db",
        METRICS_ENABLED="true",
        LOG_FORMAT="json",
        WEB_CONCURRENCY="2",
        RATE_LIMIT_AUTH="0",
        TMPDIR=str(tmp_path / "tmp"),
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    migrate(tmp_path / "users.db", migrations.discover())
    return env


def migrate(database, applied):
    """Create the database file with only the migrations `applied` (maybe none)."""
    conn = connect(database, 5)
    try:
        folder = database.parent / "applied-migrations"
        folder.mkdir()
        for migration in applied:
            (folder / migration.path.name).write_text(migration.path.read_text())
        if applied:
            migrations.upgrade(conn, folder)
    finally:
        conn.close()


def test_metrics_count_every_worker_on_every_scrape(production, tmp_path):
    with LoggedGunicorn(production, workers=2, extra_args=CONFIG) as server:
        serve_until_workers_counted(server, tmp_path / "tmp")
        before = {counted(text, "/health/live") for text in on_both_workers(server, "/metrics")}
        for _ in range(10):
            on_both_workers(server, "/health/live")
        scrapes = [text for _ in range(5) for text in on_both_workers(server, "/metrics")]
    [baseline] = before
    assert [counted(text, "/health/live") for text in scrapes] == [baseline + 20] * 10


def test_config_metrics_folder_is_removed_on_exit(production, tmp_path):
    with LoggedGunicorn(production, workers=2, extra_args=CONFIG) as server:
        serve_until_workers_counted(server, tmp_path / "tmp")
        [folder] = (tmp_path / "tmp").glob("user-service-metrics-*")
    assert not folder.exists()


def test_metrics_folder_given_is_emptied_at_start_and_kept(production, tmp_path):
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_999999.db").write_bytes(b"stale counts of an earlier run")
    env = {**production, "PROMETHEUS_MULTIPROC_DIR": str(given)}
    with LoggedGunicorn(env, workers=2, extra_args=CONFIG) as server:
        serve_until_workers_counted(server, given)
        scrapes = on_both_workers(server, "/metrics")
    assert all(counted(text, "/health/live") >= 2 for text in scrapes), scrapes
    assert not (given / "counter_999999.db").exists()
    assert len(list(given.glob("counter_*.db"))) == 2


def test_command_line_workers_and_bind_override_config(production):
    other_port = free_port()
    env = {**production, "WEB_CONCURRENCY": "3", "BIND": f"127.0.0.1:{other_port}"}
    with LoggedGunicorn(env, workers=1, extra_args=CONFIG) as server:
        time.sleep(1)  # give a third worker, if any, time to boot
        with pytest.raises(ConnectionRefusedError):
            http.client.HTTPConnection("127.0.0.1", other_port, timeout=2).connect()
    assert sum("Booting worker" in line for line in server.lines) == 1


def test_serving_logs_json_access_lines_and_no_gunicorn_access_log(production):
    with LoggedGunicorn(production, workers=2, extra_args=CONFIG) as server:
        server.request("GET", "/health/live", headers={"X-Request-ID": "serve-1"})
        status, headers, _ = server.request("GET", "/users/me")
    [live] = server.json_lines(logger="app.access", request_id="serve-1")
    [denied] = server.json_lines(logger="app.access", request_id=headers["X-Request-ID"])
    assert (live["route"], live["status"], live["client"]) == ("/health/live", 200, "127.0.0.1")
    assert (denied["route"], denied["status"], status) == ("/users/<ref>", 401, 401)
    assert all(line["request_id"] for line in server.json_lines(logger="app.access"))
    assert not [line for line in server.lines if re.search(r'"GET /\S* HTTP/1\.[01]" \d{3}', line)]


@pytest.mark.parametrize("applied", [0, -1], ids=["none-applied", "last-missing"])
def test_health_with_pending_migration_is_unavailable(tmp_path, applied):
    migrate(tmp_path / "users.db", migrations.discover()[:applied])
    with Gunicorn(service_env(tmp_path / "users.db"), workers=1, extra_args=CONFIG) as server:
        ready, _, body = server.request("GET", "/health")
        live, _, _ = server.request("GET", "/health/live")
    assert (ready, live) == (503, 200)
    assert body["checks"] == {"database": "ok", "migrations": "pending"}
