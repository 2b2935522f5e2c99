"""Prometheus metrics: requests, latency, logins, database errors (app/routes/metrics.py
serves them at GET /metrics).

Under gunicorn every worker is its own process, so counters live in files in
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it) and a scrape adds them up.
"""

import os
import time

from flask import g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

REQUESTS = Counter("user_service_http_requests_total", "HTTP requests answered.",
                   ["method", "route", "status"])
LATENCY = Histogram("user_service_http_request_duration_seconds", "Time to answer a request.",
                    ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
LOGINS = Counter("user_service_logins_total", "Login attempts by outcome.", ["outcome"])
DATABASE_ERRORS = Counter("user_service_database_errors_total",
                          "Database errors met while answering.", ["kind"])
AUDIT_WRITE_FAILURES = Counter("user_service_audit_write_failures_total",
                               "Audit events that could not be stored (they were logged).")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def count_login(outcome):
    """Count one login attempt (`succeeded`, `wrong_password`, `throttled`, ...)."""
    LOGINS.labels(outcome=outcome).inc()


def count_audit_write_failure():
    """Count an audit event that could not be stored."""
    AUDIT_WRITE_FAILURES.inc()


def count_database_error(kind):
    """Count a database error (`unavailable` or `error`)."""
    DATABASE_ERRORS.labels(kind=kind).inc()


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
    REQUESTS.labels(method, route, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(method, route).observe(time.perf_counter() - started)
    return response


def init_app(app):
    """Measure every request when METRICS_ENABLED."""
    if not app.config["METRICS_ENABLED"]:
        return
    app.before_request(_start_timer)
    app.after_request(_observe)
