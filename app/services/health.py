"""Readiness checks: can we reach the database, and is its schema current?"""

import logging

from app import metrics, migrations
from app.database import DatabaseError, DatabaseUnavailable, get_db, is_unavailable

logger = logging.getLogger(__name__)
UNREACHABLE = {"database": "unavailable", "migrations": "unknown"}


def run_checks():
    """Return each check's result: `ok`, `pending`, `unavailable` or `unknown`."""
    try:
        # Reading the migration ledger proves the database answers, in one query.
        pending = migrations.pending(get_db())
    except (DatabaseUnavailable, DatabaseError) as error:
        if not (isinstance(error, DatabaseUnavailable) or is_unavailable(error)):
            raise
        logger.warning("health: database unavailable: %s", error)
        metrics.count_database_error("unavailable")
        return dict(UNREACHABLE)
    return {"database": "ok", "migrations": "pending" if pending else "ok"}
