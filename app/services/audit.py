"""Security events: logged, counted, stored in the audit trail, and some mailed.

`record` is the single entry point. Inside a write transaction the event is stored on
that transaction, so a rolled-back change leaves no event and a committed one always
has its own; an event mailed to its subject goes out only once that transaction
commits. An event recorded outside a transaction (a failed login, a throttled one) is
stored in a transaction of its own, and a failure to store it is logged and counted,
never passed on to the request.

Only the contract's types (EVENT_TYPES) are stored; other names (`login.backoff_started`,
`authorization.denied`) are log lines only.
"""

import logging

from flask import current_app

from app import metrics
from app.database import (
    DATABASE_ERRORS,
    DatabaseUnavailable,
    get_db,
    open_transaction,
    transaction,
)
from app.models import AUDIT_EVENT_TYPES as EVENT_TYPES
from app.models import Origin, utcnow
from app.repositories import audit_events
from app.services import security_mail

logger = logging.getLogger("app.security")
STORED = frozenset(EVENT_TYPES)
# Attributes every log record has: a detail of that name is logged as `detail_<name>`.
RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
LOGIN_OUTCOMES = {"login.succeeded": "succeeded", "login.throttled": "throttled"}


def record(event, *, actor=None, subject=None, level=logging.INFO, **details):
    """Log a security event and store it; `actor` and `subject` are users (or their ids).

    `details` never hold a password, hash, token, code, secret or key.
    """
    origin = request_origin()
    actor_id, subject_id = getattr(actor, "id", actor), getattr(subject, "id", subject)
    logger.log(
        level,
        event,
        extra={
            "event": event,
            "actor_id": actor_id,
            "subject_id": subject_id,
            "ip": origin.ip,
            "request_id": origin.request_id,
            **{
                f"detail_{key}" if key in RECORD_ATTRIBUTES else key: value
                for key, value in details.items()
            },
        },
    )
    if event == "login.failed" or event in LOGIN_OUTCOMES:
        metrics.count_login(LOGIN_OUTCOMES.get(event) or details.get("reason"))
    if event in STORED:
        _store(event, actor_id, subject, subject_id, origin, details)


def request_origin():
    """Where the current request comes from (empty outside a request)."""
    provider = current_app.extensions.get("request_origin")
    return provider() if provider else Origin()


def _store(event, actor_id, subject, subject_id, origin, details):
    fields = {
        "type": event,
        "occurred_at": utcnow(),
        "actor_id": actor_id,
        "subject_id": subject_id,
        "ip": origin.ip,
        "request_id": origin.request_id,
        "details": details,
    }
    conn = open_transaction()
    if conn is not None:
        # Part of the change: if this fails, the change fails with it.
        audit_events.insert(conn, **fields)
        security_mail.queue(conn, fields, subject)
        return
    try:
        conn = get_db()
        with transaction(conn):
            audit_events.insert(conn, **fields)
            security_mail.queue(conn, fields, subject)
    except (DatabaseUnavailable, *DATABASE_ERRORS) as error:
        logger.error(
            "audit event not stored: %s",
            event,
            extra={
                "event": "audit.write_failed",
                "audit_type": event,
                "request_id": origin.request_id,
                "error": type(error).__name__,
            },
        )
        metrics.count_audit_write_failure()
