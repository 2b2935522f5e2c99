"""Database connections: one per request on `g`, from the engine DATABASE_URL names.

SQLite (`sqlite:///path`) is the embedded default; PostgreSQL (`postgresql://...`)
serves several instances at once. This package hides how a pool hands out
connections, how a write transaction starts, and which driver errors mean
"unavailable" rather than "bug". What SQL must differ by engine is chosen by
`conn.engine` in the repositories, and in `migrations/<engine>/`.
"""

import contextlib
import re

from flask import current_app, g

from app.database import postgresql, sqlite
from app.database.unavailable import DatabaseUnavailable

PROJECT_ROOT = sqlite.PROJECT_ROOT
DATABASE_ERRORS = sqlite.ERRORS + postgresql.ERRORS
INTEGRITY_ERRORS = sqlite.INTEGRITY_ERRORS + postgresql.INTEGRITY_ERRORS

_PASSWORDS_IN_URL = (
    re.compile(r"(//[^/@:]*:)[^/@]*(@)"),  # user:password@host
    re.compile(r"([?&](?:ssl)?password=)[^&]*()"),  # ?password=... (libpq parameters)
)


def open_pool(config):
    """Return a connection pool for the engine the config's DATABASE_URL names."""
    if postgresql.is_postgresql_url(config["DATABASE_URL"]):
        return postgresql.ConnectionPool.from_config(config)
    return sqlite.ConnectionPool.from_config(config)


def display_url(database_url):
    """The URL to print or log: any password in it replaced by ***."""
    for pattern in _PASSWORDS_IN_URL:
        database_url = pattern.sub(r"\1***\2", database_url)
    return database_url


def missing_file(database_url):
    """The SQLite file a URL names if it does not exist (opening it would create it)."""
    if postgresql.is_postgresql_url(database_url):
        return None
    path = sqlite.sqlite_path(database_url)
    return None if path.is_file() else path


@contextlib.contextmanager
def connection_to(config, database_url):
    """A connection of its own to another database (operator commands), closed after."""
    pool = open_pool({**config, "DATABASE_URL": database_url})
    try:
        conn = pool.acquire()
    except (*DATABASE_ERRORS, OSError) as error:
        pool.close()
        raise DatabaseUnavailable(str(error)) from error
    try:
        yield conn
    finally:
        pool.release(conn)
        pool.close()


def get_db():
    """Return the request's connection, taking one from the pool on first use."""
    if "db" not in g:
        try:
            g.db = current_app.extensions["db_pool"].acquire()
        except (*DATABASE_ERRORS, OSError) as error:
            raise DatabaseUnavailable(str(error)) from error
    return g.db


def open_transaction():
    """The request's connection if a write transaction is open on it, else None."""
    conn = g.get("db")
    return conn if conn is not None and conn.in_transaction else None


def close_db(_error=None):
    """Give the request's connection back to the pool."""
    conn = g.pop("db", None)
    if conn is not None:
        current_app.extensions["db_pool"].release(conn)


def discard_db():
    """Drop the request's connection after a database error: the next request gets a
    fresh one (SQLite may not re-read a file on a connection that found it broken;
    a PostgreSQL connection may have been lost)."""
    conn = g.pop("db", None)
    if conn is not None:
        current_app.extensions["db_pool"].discard(conn)


def check_writable(conn):
    """Raise if the database cannot take a write now (locked, read-only, broken)."""
    current_app.extensions["db_pool"].check_writable(conn)


@contextlib.contextmanager
def transaction(conn):
    """Run a block as one write transaction: committed on success, else rolled back.

    Functions given to `after_commit` inside the block run once it has committed;
    after a rollback they are dropped.
    """
    conn.begin_write()
    conn.after_commit = []
    try:
        yield conn
    except BaseException:
        conn.after_commit = None
        conn.rollback()
        raise
    try:
        conn.commit()
    except BaseException:
        conn.after_commit = None
        raise
    pending, conn.after_commit = conn.after_commit, None
    for function in pending:
        function()


def after_commit(conn, function):
    """Call `function` once the transaction open on `conn` commits (at once if none is)."""
    pending = getattr(conn, "after_commit", None)
    if pending is None or not conn.in_transaction:
        function()
    else:
        pending.append(function)


def is_unavailable(error):
    """Tell whether a database error means "cannot serve now" rather than a bug."""
    return (
        isinstance(error, DatabaseUnavailable)
        or sqlite.is_unavailable(error)
        or postgresql.is_unavailable(error)
    )


def is_missing_table(error):
    """Tell whether a database error says a table does not exist (yet)."""
    return sqlite.is_missing_table(error) or postgresql.is_missing_table(error)


def init_app(app):
    """Create the app's pool; give connections back after each request and app context."""
    app.extensions["db_pool"] = open_pool(app.config)
    app.teardown_request(close_db)
    app.teardown_appcontext(close_db)
