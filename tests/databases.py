"""The engines the suite runs on: a SQLite file, and PostgreSQL when TEST_DATABASE_URL is set.

Each PostgreSQL test gets a schema of its own, named after the run and the test, so
two runs (or two CI jobs) on one database never see each other's rows, nor wait for
each other's write lock (it is taken per schema).
"""

import contextlib
import itertools
import os
import secrets
import shutil
import sqlite3

import psycopg
import pytest

from app import migrations
from app.database import open_pool
from app.database.postgresql import BEGIN_WRITE, TAKE_WRITE_LOCK, WRITE_LOCK_CLASS, scratch_schema
from app.database.sqlite import sqlite_path

ENGINES = ("sqlite", "postgresql")
POSTGRESQL_SKIP_REASON = (
    "PostgreSQL: set TEST_DATABASE_URL (e.g. postgresql://127.0.0.1:5432/test) to run it"
)
RUN = secrets.token_hex(3)
_schema_numbers = itertools.count(1)


def postgresql_server_url():
    """The server the PostgreSQL variant runs on, or a skip."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(POSTGRESQL_SKIP_REASON)
    return url


@contextlib.contextmanager
def fresh_database(engine, folder):
    """Yield the URL of a new, empty database: a file in `folder`, or a PostgreSQL schema."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'users.db'}"
    else:
        with postgresql_schema(postgresql_server_url()) as url:
            yield url


def postgresql_schema(server_url):
    """A DATABASE_URL on a new, empty schema, dropped afterwards (a context manager)."""
    return scratch_schema(server_url, f"test_{os.getpid()}_{RUN}_{next(_schema_numbers)}")


class WriteLockHolder:
    """A connection of another process's kind that takes the database's write lock."""

    def __init__(self, database_url):
        if database_url.startswith("sqlite"):
            self.conn = sqlite3.connect(sqlite_path(database_url), isolation_level=None)
            self.lock_statements = [("BEGIN EXCLUSIVE", ())]
        else:
            self.conn = psycopg.connect(database_url, autocommit=True)
            self.lock_statements = [(BEGIN_WRITE, None), (TAKE_WRITE_LOCK, (WRITE_LOCK_CLASS,))]

    def hold(self):
        for statement, params in self.lock_statements:
            self.conn.execute(statement, params)

    def release(self):
        self.conn.execute("ROLLBACK")

    def close(self):
        self.conn.close()


@contextlib.contextmanager
def write_lock_held(database_url):
    """Hold the database's write lock for the duration of the block."""
    holder = WriteLockHolder(database_url)
    try:
        holder.hold()
        yield
        holder.release()
    finally:
        holder.close()


def query(database_url, sql, params=None):
    """Run one statement (`:name` parameters) on a connection of our own; return all rows."""
    pool = open_pool(
        {
            "DATABASE_URL": database_url,
            "DB_BUSY_TIMEOUT": 10.0,
            "DB_POOL_SIZE": 1,
            "DB_STATEMENT_TIMEOUT": 10.0,
        }
    )
    conn = pool.acquire()
    try:
        cursor = conn.execute(sql, params or {})
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    finally:
        pool.release(conn)
        pool.close()


@contextlib.contextmanager
def migrated_before(database_url, folder, version):
    """A connection to the database at `database_url`, migrated up to (not including)
    the migration numbered `version` ("0010"): for testing what that one does to rows
    already there."""
    shipped = migrations.MIGRATIONS_DIR
    for path in shipped.rglob("*.sql"):
        if path.name < version:
            target = folder / path.relative_to(shipped)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    settings = {"DB_BUSY_TIMEOUT": 5.0, "DB_POOL_SIZE": 1, "DB_STATEMENT_TIMEOUT": 10.0}
    pool = open_pool({"DATABASE_URL": database_url, **settings})
    connection = pool.acquire()
    try:
        migrations.upgrade(connection, folder)
        yield connection
    finally:
        pool.release(connection)
        pool.close()
