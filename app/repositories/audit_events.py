"""SQL for the `audit_events` table: the stored security events."""

import json

from app.models import AuditEvent, from_db_time, to_db_time

COLUMNS = "id, type, occurred_at, actor_id, subject_id, ip, request_id, details"
# Each filter is one fixed fragment; a request value only ever becomes a parameter.
FILTERS = {
    "type": "type = :type",
    "actor_id": "actor_id = :actor_id",
    "subject_id": "subject_id = :subject_id",
    "since": "occurred_at >= :since",
    "until": "occurred_at < :until",
}


def insert(conn, *, type, occurred_at, actor_id, subject_id, ip, request_id, details):
    """Store one event."""
    conn.execute(
        "INSERT INTO audit_events"
        " (type, occurred_at, actor_id, subject_id, ip, request_id, details)"
        " VALUES (:type, :occurred_at, :actor_id, :subject_id, :ip, :request_id, :details)",
        {
            "type": type,
            "occurred_at": to_db_time(occurred_at),
            "actor_id": actor_id,
            "subject_id": subject_id,
            "ip": ip,
            "request_id": request_id,
            "details": json.dumps(details, sort_keys=True, default=str),
        },
    )


def list_page(conn, *, limit, after=None, **filters):
    """Return up to `limit` events newest first, after the (`occurred_at`, `id`) keyset.

    `filters` are the FILTERS names with their values (None: not filtered).
    """
    params = {"limit": limit}
    clauses = []
    for name, value in filters.items():
        if value is not None:
            clauses.append(FILTERS[name])
            params[name] = to_db_time(value) if name in ("since", "until") else value
    if after is not None:
        clauses.append("(occurred_at, id) < (:after_at, :after_id)")
        params.update(after_at=after["value"], after_id=after["id"])
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM audit_events{where}"
        " ORDER BY occurred_at DESC, id DESC LIMIT :limit",
        params,
    ).fetchall()
    return [_event(row) for row in rows]


def count_before(conn, *, before):
    """Return how many events occurred before `before`."""
    return conn.execute(
        "SELECT count(*) FROM audit_events WHERE occurred_at < :before",
        {"before": to_db_time(before)},
    ).fetchone()[0]


def delete_oldest_before(conn, *, before, limit):
    """Delete up to `limit` of the oldest events before `before`; return how many."""
    return conn.execute(
        "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events"
        " WHERE occurred_at < :before ORDER BY occurred_at, id LIMIT :limit)",
        {"before": to_db_time(before), "limit": limit},
    ).rowcount


def _event(row):
    return AuditEvent(
        id=row["id"],
        type=row["type"],
        occurred_at=from_db_time(row["occurred_at"]),
        actor_id=row["actor_id"],
        subject_id=row["subject_id"],
        ip=row["ip"],
        request_id=row["request_id"],
        details=json.loads(row["details"]),
    )


def keyset(event):
    """The cursor keyset of an event: its stored time and its id."""
    return to_db_time(event.occurred_at), event.id
