"""Moving every user, session and login counter from another database into this one."""

import contextlib

from flask import current_app

from app import migrations
from app.database import connection_to, get_db, missing_file, transaction
from app.repositories import copying
from app.services.domain_errors import Conflict, NotFound

BATCH_SIZE = 1000


def copy_from(source_url, *, batch_size=BATCH_SIZE, on_progress=None):
    """Copy every row of the database at `source_url` into the app's; return counts.

    `on_progress(done, total)`, when given, hears of the rows copied so far (all tables
    together) out of all the source's rows: once before the first batch, then per batch.
    """
    missing = missing_file(source_url)
    if missing:
        raise NotFound(f"no database file at {missing}")
    with connection_to(current_app.config, source_url) as source:
        _check_migrated(source)
        return _copy_all(source, get_db(), batch_size, on_progress or _ignore)


def _check_migrated(source):
    """Refuse a source whose schema is behind: its rows would not fit the target's."""
    pending = migrations.pending(source)
    if pending:
        names = ", ".join(migration.name for migration in pending)
        raise Conflict(
            f"the source database is not fully migrated (pending: {names});"
            " run `flask db upgrade` on it first",
            code="source_not_migrated",
        )


def _ignore(done, total):
    """No one listens to the progress."""


def _copy_all(source, target, batch_size, on_progress):
    """Upgrade the target, then copy every table in one transaction on it."""
    migrations.upgrade(target)
    with _snapshot(source), transaction(target):
        _check_empty(target)
        progress = _Progress(
            on_progress, sum(copying.count_rows(source, table) for table in copying.TABLES)
        )
        counts = {
            table.name: _copy_table(source, target, table, batch_size, progress)
            for table in copying.TABLES
        }
        for table in copying.GENERATED_IDS:
            last_id = copying.last_id(source, table)
            if last_id:
                copying.continue_ids(target, table, after=last_id)
    return counts


@contextlib.contextmanager
def _snapshot(source):
    """Read the source as it was at the start, however long the copy takes."""
    copying.begin_snapshot(source)
    try:
        yield source
    finally:
        source.rollback()


def _check_empty(target):
    """Refuse a target that holds data already: the copy would mix two databases."""
    filled = [table.name for table in copying.TABLES if not copying.is_empty(target, table)]
    if filled:
        raise Conflict(
            f"the target database is not empty ({', '.join(filled)} have rows); nothing was copied",
            code="target_not_empty",
        )


class _Progress:
    """Rows copied so far out of the total, told to `on_progress` after every batch."""

    def __init__(self, on_progress, total):
        self.on_progress, self.total, self.done = on_progress, total, 0
        on_progress(0, total)

    def add(self, count):
        self.done += count
        self.on_progress(self.done, max(self.total, self.done))


def _copy_table(source, target, table, batch_size, progress):
    """Copy one table batch by batch; return how many rows it had."""
    copied, last = 0, None
    while rows := copying.read_batch(source, table, after=last, limit=batch_size):
        copying.insert_rows(target, table, rows)
        copied, last = copied + len(rows), rows[-1]
        progress.add(len(rows))
    return copied
