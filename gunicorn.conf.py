"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each value can be overridden on the command line or by GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os
import re
import shutil
import tempfile

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: SQLite writes serialize anyway, and each worker keeps its own connection.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30            # a worker silent this long is killed and replaced
graceful_timeout = 20   # on SIGTERM, let requests in flight finish
keepalive = 5
max_requests = 10000    # recycle workers now and then, jittered so they don't all at once
max_requests_jitter = 1000
limit_request_line = 8190
# The app writes its own access line (JSON, with request id and user); gunicorn's stays off.
accesslog = None
errorlog = "-"
control_socket_disable = True   # gunicorn 27 would otherwise open one in the home folder
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Prometheus multiprocess mode: every worker writes its counters to files here,
# and a scrape of /metrics on any worker adds them up.
# Unless set, a folder named after the bind address: a master killed without
# cleaning up leaves it behind, and the next start on that address reuses it.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
_own_metrics_dir = not _metrics_dir
if _own_metrics_dir:
    _where = re.sub(r"[^A-Za-z0-9]+", "-", bind).strip("-")
    _metrics_dir = os.path.join(tempfile.gettempdir(), f"user-service-metrics-{_where}")
    os.makedirs(_metrics_dir, mode=0o700, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    """Start every run with empty metric files."""
    for name in os.listdir(_metrics_dir):
        path = os.path.join(_metrics_dir, name)
        if os.path.isfile(path):
            os.unlink(path)


def child_exit(server, worker):
    """Let the metrics of a dead worker stop counting as live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metric files this run made for itself."""
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
