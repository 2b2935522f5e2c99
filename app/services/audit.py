"""Security events as named log records (who did what to whom), counted for metrics."""

import logging

from app import metrics

logger = logging.getLogger("app.security")


def record(event, *, actor=None, subject=None, level=logging.INFO, **details):
    """Log a security event; `actor` and `subject` are users (or their ids)."""
    logger.log(level, event, extra={
        "event": event,
        "actor_id": getattr(actor, "id", actor),
        "subject_id": getattr(subject, "id", subject),
        **details,
    })
    if event in ("login.succeeded", "login.failed"):
        metrics.count_login(details.get("reason") or "succeeded")
