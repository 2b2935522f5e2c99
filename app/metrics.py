"""Prometheus metrics: requests, latency, logins, database errors (app/routes/metrics.py
serves them at GET /metrics).

Under gunicorn every worker is its own process, so counters live in files in
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it) and a scrape adds them up.
"""

import logging
import os
import time

from flask import current_app, g, has_app_context, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

REQUESTS = Counter(
    "user_service_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "user_service_http_request_duration_seconds",
    "Time to answer a request.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
LOGINS = Counter("user_service_logins_total", "Login attempts by outcome.", ["outcome"])
DATABASE_ERRORS = Counter(
    "user_service_database_errors_total", "Database errors met while answering.", ["kind"]
)
AUDIT_WRITE_FAILURES = Counter(
    "user_service_audit_write_failures_total",
    "Audit events that could not be stored (they were logged).",
)

logger = logging.getLogger(__name__)
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _enabled():
    return has_app_context() and current_app.config.get("METRICS_ENABLED", False)


def _safely(count, what):
    """Run `count`; a failing metrics store is logged and never fails the request."""
    try:
        count()
    except Exception as error:  # metrics never decide a request's outcome
        logger.warning("metrics: cannot count %s: %s: %s", what, type(error).__name__, error)


def count_login(outcome):
    """Count one login attempt (`succeeded`, `wrong_password`, `throttled`, ...)."""
    if _enabled():
        _safely(lambda: LOGINS.labels(outcome=outcome).inc(), "a login")


def count_audit_write_failure():
    """Count an audit event that could not be stored."""
    AUDIT_WRITE_FAILURES.inc()


def count_database_error(kind):
    """Count a database error (`unavailable` or `error`)."""
    if _enabled():
        _safely(lambda: DATABASE_ERRORS.labels(kind=kind).inc(), "a database error")


def store_status():
    """`ok` when the metrics store can be written, `unavailable` when its folder is gone or
    read-only (only asked when metrics are on)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return "ok"
    if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
        return "ok"
    logger.warning("metrics: the store %s is missing or not writable", folder)
    return "unavailable"


def registry():
    """The registry to scrape: this process's, or all gunicorn workers' files."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _start_timer():
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    route = request.url_rule.rule if request.url_rule else "(unmatched)"
    # Clients can send any method name; unknown ones must not mint new series.
    method = request.method if request.method in KNOWN_METHODS else "other"
    _safely(lambda: REQUESTS.labels(method, route, str(response.status_code)).inc(), "a request")
    if started is not None:
        _safely(
            lambda: LATENCY.labels(method, route).observe(time.perf_counter() - started),
            "a latency",
        )
    return response


def init_app(app):
    """Measure every request when METRICS_ENABLED."""
    if not app.config["METRICS_ENABLED"]:
        return
    app.before_request(_start_timer)
    app.after_request(_observe)
