"""Readiness checks: can we reach the database, and is its schema current?"""

import logging

from flask import current_app

from app import metrics, migrations
from app.database import (
    DATABASE_ERRORS,
    DatabaseUnavailable,
    check_writable,
    discard_db,
    get_db,
    is_unavailable,
)

logger = logging.getLogger(__name__)
UNREACHABLE = {"database": "unavailable", "migrations": "unknown"}


def run_checks():
    """Return each check's result: `ok`, `pending`, `unavailable` or `unknown`; with metrics
    on, whether their store can be written as well."""
    checks = _database_checks()
    if current_app.config["METRICS_ENABLED"]:
        checks["metrics"] = metrics.store_status()
    return checks


def _database_checks():
    try:
        conn = get_db()
        # Reads keep working while another process holds the write lock or the
        # file turned read-only, so ask for the write lock too (and let it go).
        check_writable(conn)
        pending = migrations.pending(conn)
    except (DatabaseUnavailable, *DATABASE_ERRORS) as error:
        if not is_unavailable(error):
            raise
        logger.warning("health: database unavailable: %s", error)
        discard_db()
        metrics.count_database_error("unavailable")
        return dict(UNREACHABLE)
    return {"database": "ok", "migrations": "pending" if pending else "ok"}
