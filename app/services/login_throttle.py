"""Per-account back-off after repeated failed logins, counted in the database."""

import logging
import math
from datetime import timedelta

from flask import current_app

from app.database import transaction
from app.repositories import login_failures
from app.services.errors import RateLimited

logger = logging.getLogger(__name__)
FIRST_BACKOFF = 60
MAX_BACKOFF = 3600


def check(conn, account, now):
    """Refuse the attempt while the account is backing off (right password or not)."""
    until = login_failures.blocked_until(conn, account)
    if until is not None and until > now:
        raise RateLimited("Too many failed logins for this account; try again later.",
                          retry_after=math.ceil((until - now).total_seconds()))


def record_failure(conn, account, now):
    """Count a failed login; start or lengthen the back-off past the limit."""
    config = current_app.config
    window_start = now - timedelta(seconds=config["LOGIN_FAILURE_WINDOW"])
    with transaction(conn):
        failures = login_failures.add_failure(conn, account=account, now=now,
                                              window_start=window_start)
        excess = failures - config["LOGIN_MAX_FAILURES"]
        if excess >= 0:
            # Doubles with every further failure, capped: never a permanent lock.
            backoff = min(FIRST_BACKOFF * 2 ** min(excess, 16), MAX_BACKOFF)
            login_failures.block(conn, account=account, until=now + timedelta(seconds=backoff))
    if excess == 0:
        logger.warning("login back-off started", extra={"event": "login.backoff_started"})


def reset(conn, account):
    """Forget the failures of an account that just logged in (inside its transaction)."""
    login_failures.clear(conn, account)
