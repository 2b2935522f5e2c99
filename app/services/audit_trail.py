"""Reading the audit trail (keyset pages, newest first) and pruning it."""

from datetime import timedelta

from flask import current_app

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import audit_events
from app.services import cursors
from app.services import users as users_service
from app.services.domain_errors import PermissionDenied

CURSOR_LISTING = "audit-events"  # a cursor of another listing is refused here
PRUNE_BATCH_SIZE = 10_000


def list_events(
    actor, *, limit, cursor=None, type=None, actor_id=None, subject_id=None, since=None, until=None
):
    """Return (events, next_cursor) of one page of the whole trail (admins only)."""
    if not actor.is_admin:
        raise PermissionDenied("Only admins may read the audit trail.")
    return _page(
        limit, cursor, type=type, actor_id=actor_id, subject_id=subject_id, since=since, until=until
    )


def list_user_events(actor, ref, *, limit, cursor=None, subject_id=None, **filters):
    """Return (events, next_cursor) of one page of the events about the user `ref` names
    (a `subject_id` filter naming someone else matches nothing)."""
    target = users_service.get_user(actor, ref)
    if subject_id is not None and subject_id != target.id:
        return [], None
    return _page(limit, cursor, subject_id=target.id, **filters)


def _page(limit, cursor, **filters):
    key = current_app.config["SECRET_KEY"]
    after = cursors.decode(key, cursor, sort=CURSOR_LISTING) if cursor else None
    rows = audit_events.list_page(get_db(), limit=limit + 1, after=after, **filters)
    page, more = rows[:limit], len(rows) > limit
    if not more:
        return page, None
    value, last_id = audit_events.keyset(page[-1])
    return page, cursors.encode(key, sort=CURSOR_LISTING, value=value, last_id=last_id)


def prune_cutoff():
    """The moment before which events are older than AUDIT_RETENTION_DAYS."""
    return utcnow() - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])


def count_prunable(before):
    """How many events occurred before `before`."""
    return audit_events.count_before(get_db(), before=before)


def prune(before, *, batch_size=PRUNE_BATCH_SIZE):
    """Delete the events before `before`, a batch per transaction so writers wait at most
    one batch; yield the number deleted by each batch."""
    conn = get_db()
    while True:
        with transaction(conn):
            deleted = audit_events.delete_oldest_before(conn, before=before, limit=batch_size)
        if deleted:
            yield deleted
        if deleted < batch_size:
            return
