"""Per-account back-off after repeated failed logins, counted in the database.

Every attempt counts as a failure until its password is found right, so parallel
attempts cannot all slip through before the first failure is written down.
"""

import logging
import math
from datetime import timedelta

from flask import current_app

from app.database import transaction
from app.repositories import login_failures
from app.services import audit
from app.services.domain_errors import RateLimited

FIRST_BACKOFF = 60
MAX_BACKOFF = 3600


def begin_attempt(conn, account, now, *, subject=None):
    """Refuse the attempt while the account backs off; else count it as failed for now.

    `subject` is the user the account's email belongs to, if any (for the log).
    """
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])
    with transaction(conn):
        block = login_failures.current_block(conn, account)
        blocked = block is not None and block.blocked_until > now
        if not blocked:
            login_failures.add_failure(conn, account=account, now=now)
            level = _next_block_level(conn, account, block, now, window)
            if level is not None:
                backoff = min(FIRST_BACKOFF * 2 ** min(level, 16), MAX_BACKOFF)
                login_failures.set_block(
                    conn, account=account, level=level, until=now + timedelta(seconds=backoff)
                )
    if blocked:
        # Recorded once the refusal's read-only transaction is over: on its own.
        raise _refusal(block.blocked_until - now, subject)
    return level


def _next_block_level(conn, account, block, now, window):
    """A failure right after a block lengthens it; else block at the failure limit."""
    if block is not None and block.blocked_until >= now - window:
        return block.level + 1
    failures = login_failures.count_failures(conn, account=account, since=now - window)
    return 0 if failures >= current_app.config["LOGIN_MAX_FAILURES"] else None


def confirm_failure(level, *, subject=None):
    """Log the start of a back-off once the attempt is known to have failed."""
    if level == 0:
        audit.record("login.backoff_started", subject=subject, level=logging.WARNING)


def withdraw(conn, account, now):
    """Stop counting an attempt whose password was right but awaits its second factor."""
    login_failures.remove_failure(conn, account=account, failed_at=now)


def reset(conn, account):
    """Forget the failures of an account that just logged in (inside its transaction)."""
    login_failures.clear(conn, account)


def _refusal(remaining, subject):
    audit.record("login.throttled", subject=subject, level=logging.WARNING)
    return RateLimited(
        "Too many failed logins for this account; try again later.",
        retry_after=max(1, math.ceil(remaining.total_seconds())),
    )
