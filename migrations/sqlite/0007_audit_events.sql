-- The audit trail: every security event, kept AUDIT_RETENTION_DAYS (`flask audit prune`).
-- No foreign key to users: events outlive the users they name, ids included.
-- Pages run newest first by (occurred_at, id); each filter has an index that serves it
-- in that order, so a filtered page reads only its own rows at any size.

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    type        TEXT    NOT NULL,
    occurred_at TEXT    NOT NULL,
    actor_id    INTEGER,
    subject_id  INTEGER,
    ip          TEXT,
    request_id  TEXT,
    details     TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at, id);
CREATE INDEX audit_events_type ON audit_events (type, occurred_at, id);
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at, id);
