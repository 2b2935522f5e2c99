"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each value can be overridden on the command line or by GUNICORN_CMD_ARGS.
"""

import logging
import multiprocessing
import os
import re
import shutil
import tempfile

from dotenv import load_dotenv
from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

# The app reads `.env` too; read it here first so both agree on METRICS_ENABLED.
load_dotenv(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".env"), override=False)

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: SQLite writes serialize anyway, and each worker keeps its own connection.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 20  # on SIGTERM, let requests in flight finish
keepalive = 5
max_requests = 10000  # recycle workers now and then, jittered so they don't all at once
max_requests_jitter = 1000
# Workers fork from a master that has already imported the app, so a recycled worker
# serves again within milliseconds. Importing it in each new worker takes 2-3 s of a
# core, while that worker's share of the requests waits (under load, p99 above 1.5 s
# and some timeouts at every recycling). The database pools and the mail outbox open
# per process, after the fork.
preload_app = True
limit_request_line = 8190
# The app writes its own access line (JSON, with request id and user); gunicorn's stays off.
accesslog = None
errorlog = "-"
control_socket_disable = True  # gunicorn 27 would otherwise open one in the home folder
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's own lines (a malformed request, a worker that died) quote what the client
# sent: an `Authorization Bearer eyJ...` header line without its colon is logged whole.
# They are written like the app's (JSON unless LOG_FORMAT=text) with anything token-like
# replaced: the value after "Bearer", a JWT (three base64url parts, the first `eyJ`),
# an API key (`usk_...`).
TOKEN_LIKE = (
    (re.compile(r"(?i)\b(bearer)([\s:=]+)[^\s'\"\\,;]+"), r"\1\2[redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?"), "[redacted]"),
    (re.compile(r"usk_[A-Za-z0-9_-]+"), "[redacted]"),
)


def redact(text):
    """`text` with every token-like part replaced by `[redacted]`."""
    for pattern, replacement in TOKEN_LIKE:
        text = pattern.sub(replacement, text)
    return text


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object a line, with the app's field names (app/logs.py), redacted."""

    def __init__(self):
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            timestamp="time",
            rename_fields={"levelname": "level", "name": "logger"},
        )

    def format(self, record):
        return redact(super().format(record))


class RedactingTextFormatter(logging.Formatter):
    """gunicorn's text lines, redacted."""

    def format(self, record):
        return redact(super().format(record))


class RedactingLogger(Logger):
    """gunicorn's logger, its lines written like the app's and redacted."""

    def setup(self, cfg):
        super().setup(cfg)
        # As app/config.py decides it: text only in development, unless LOG_FORMAT says.
        default = "text" if os.environ.get("APP_ENV", "development") == "development" else "json"
        text = (os.environ.get("LOG_FORMAT") or default).strip().lower() == "text"
        # In text, an access line stays the line --access-logformat makes.
        for log, text_format in (
            (self.error_log, self.error_fmt),
            (self.access_log, "%(message)s"),
        ):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(
                        RedactingTextFormatter(text_format, self.datefmt)
                        if text
                        else RedactingJsonFormatter()
                    )


logger_class = RedactingLogger

# Prometheus multiprocess mode: every worker writes its counters to files here,
# and a scrape of /metrics on any worker adds them up.
# Unless PROMETHEUS_MULTIPROC_DIR is given, each master makes a private folder of its own
# (mkdtemp: a fresh name, so instances on one machine never share one) when it starts,
# and only that master removes it when it exits. With metrics off no folder is made.
_metrics_enabled = os.environ.get("METRICS_ENABLED", "false").strip().lower() in (
    "1",
    "true",
    "yes",
    "on",
)
# "pid:folder" of the folder a master made; in the environment, so that a configuration
# reload (SIGHUP runs this file again) still knows the folder is its own.
OWNER_VARIABLE = "USER_SERVICE_METRICS_DIR_OWNER"
_owner_pid, _, _owned_dir = os.environ.get(OWNER_VARIABLE, "").partition(":")
_own_metrics = {"dir": _owned_dir, "pid": int(_owner_pid)} if _owner_pid == str(os.getpid()) else {}
_given_metrics_dir = None if _own_metrics else os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def _make_own_metrics_dir():
    """Give this master a metrics folder of its own, once."""
    if _given_metrics_dir or not _metrics_enabled or _own_metrics:
        return
    folder = tempfile.mkdtemp(prefix="user-service-metrics-")
    _own_metrics.update(dir=folder, pid=os.getpid())
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    os.environ[OWNER_VARIABLE] = f"{os.getpid()}:{folder}"


# Now, as this file is read, not in on_starting: with preload_app the app, and with it
# prometheus_client (which reads PROMETHEUS_MULTIPROC_DIR when imported), loads before
# on_starting runs.
_make_own_metrics_dir()


def on_starting(server):
    """Empty the metrics folder given, if any (stale files of an earlier run)."""
    if _given_metrics_dir:
        for name in os.listdir(_given_metrics_dir):
            path = os.path.join(_given_metrics_dir, name)
            if os.path.isfile(path):
                os.unlink(path)


def child_exit(server, worker):
    """Let the metrics of a dead worker stop counting as live gauges."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import multiprocess

    try:
        multiprocess.mark_process_dead(worker.pid)
    except OSError as error:
        server.log.warning("metrics: cannot clean up after worker %s: %s", worker.pid, error)


def on_exit(server):
    """Remove the metrics folder this master made, and no other."""
    if _own_metrics.get("pid") == os.getpid():
        shutil.rmtree(_own_metrics["dir"], ignore_errors=True)
