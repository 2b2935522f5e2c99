"""Moving every user, session and login counter from another database into this one."""

import contextlib

from flask import current_app

from app import migrations
from app.database import get_db, open_pool, transaction
from app.database.postgresql import is_postgresql_url
from app.database.sqlite import sqlite_path
from app.repositories import copying
from app.services.errors import Conflict, NotFound

BATCH_SIZE = 1000


def copy_from(source_url, *, batch_size=BATCH_SIZE):
    """Copy every row of the database at `source_url` into the app's; return counts."""
    _check_exists(source_url)
    pool = open_pool({**current_app.config, "DATABASE_URL": source_url})
    source = pool.acquire()
    try:
        _check_migrated(source)
        return _copy_all(source, get_db(), batch_size)
    finally:
        pool.release(source)
        pool.close()


def _check_exists(source_url):
    """Refuse a SQLite source file that is not there (opening it would create it)."""
    if not is_postgresql_url(source_url) and not sqlite_path(source_url).is_file():
        raise NotFound(f"no database file at {sqlite_path(source_url)}")


def _check_migrated(source):
    """Refuse a source whose schema is behind: its rows would not fit the target's."""
    pending = migrations.pending(source)
    if pending:
        names = ", ".join(migration.name for migration in pending)
        raise Conflict(f"the source database is not fully migrated (pending: {names});"
                       " run `flask db upgrade` on it first", code="source_not_migrated")


def _copy_all(source, target, batch_size):
    """Upgrade the target, then copy every table in one transaction on it."""
    migrations.upgrade(target)
    with _snapshot(source), transaction(target):
        _check_empty(target)
        counts = {table.name: _copy_table(source, target, table, batch_size)
                  for table in copying.TABLES}
        copying.continue_user_ids(target)
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
        raise Conflict(f"the target database is not empty ({', '.join(filled)} have rows);"
                       " nothing was copied", code="target_not_empty")


def _copy_table(source, target, table, batch_size):
    """Copy one table batch by batch; return how many rows it had."""
    copied, last = 0, None
    while rows := copying.read_batch(source, table, after=last, limit=batch_size):
        copying.insert_rows(target, table, rows)
        copied, last = copied + len(rows), rows[-1]
    return copied
