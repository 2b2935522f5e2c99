"""The PostgreSQL engine: psycopg 3 behind a psycopg_pool pool, one per process.

The repositories write SQL once, with `:name` parameters; this module turns them
into psycopg's `%(name)s`. Everything else the engines share.
"""

import contextlib
import functools
import os
import re
import threading
from urllib.parse import quote

import psycopg
from psycopg import errors as pg_errors
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool as PsycopgPool

from app.database.unavailable import DatabaseUnavailable

URL_PREFIXES = ("postgresql://", "postgres://")
APPLICATION_NAME = "user-service"  # how the service's connections show in pg_stat_activity
ERRORS = (psycopg.Error,)
INTEGRITY_ERRORS = (psycopg.IntegrityError,)
UNAVAILABLE = (
    psycopg.OperationalError,  # refused, lost, pool timeout, lock or statement timeout
    psycopg.InterfaceError,  # the connection was closed under us
    pg_errors.ReadOnlySqlTransaction,  # a standby, or default_transaction_read_only
    pg_errors.UndefinedTable,  # not migrated yet, like SQLite's "no such table"
)
# Writers take this transaction-scoped advisory lock, the counterpart of SQLite's
# BEGIN IMMEDIATE: every write transaction on one schema runs alone, so the rules
# that read before they write (last admin, login back-off) hold across instances.
# Read committed, so that what a writer reads is what the writer before it left.
WRITE_LOCK_CLASS = 0x75736572  # "user"; the schema's name picks the lock in the class
BEGIN_WRITE = "BEGIN ISOLATION LEVEL READ COMMITTED"
TAKE_WRITE_LOCK = "SELECT pg_advisory_xact_lock(%s, hashtext(coalesce(current_schema(), '')))"
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def is_postgresql_url(database_url):
    """Tell whether a DATABASE_URL names a PostgreSQL server."""
    return database_url.startswith(URL_PREFIXES)


def with_search_path(database_url, *schemas):
    """The URL, with its connections working in `schemas` (tests and benchmarks use one
    schema each; `public` after it keeps pg_trgm's operators in reach)."""
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options={quote('-csearch_path=' + ','.join(schemas))}"


@contextlib.contextmanager
def scratch_schema(server_url, schema):
    """A URL on a new schema `schema` (a constant-made name), dropped afterwards: one
    test's or one benchmark's database, beside others on the same server."""
    identifier = sql.Identifier(schema)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(identifier))
    try:
        yield with_search_path(server_url, schema, "public")
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(identifier))


@functools.lru_cache(maxsize=512)
def to_pyformat(sql):
    """`WHERE id = :id` -> `WHERE id = %(id)s`; a literal % is doubled."""
    return _PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%"))


class Row:
    """A result row read by column name or by position, like sqlite3.Row."""

    __slots__ = ("_values", "_index")

    def __init__(self, values, index):
        self._values = values
        self._index = index

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def keys(self):
        return list(self._index)


def _rows(cursor):
    names = [column.name for column in cursor.description or ()]
    index = {name: position for position, name in enumerate(names)}
    return lambda values: Row(values, index)


class PostgresConnection:
    """A pooled psycopg connection speaking the small dialect the repositories use."""

    engine = "postgresql"
    __slots__ = ("raw", "after_commit")

    def __init__(self, raw):
        self.raw = raw
        self.after_commit = None  # what app.database.transaction runs once committed

    def execute(self, sql, params=None):
        """Run one statement; `:name` parameters come from the `params` mapping."""
        if params is None:
            return self.raw.execute(sql)
        return self.raw.execute(to_pyformat(sql), params)

    @property
    def in_transaction(self):
        """Whether a transaction is open (also one that failed and awaits its rollback)."""
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def begin_write(self):
        """Start a write transaction, waiting (up to lock_timeout) for the write lock."""
        if self.in_transaction:
            raise psycopg.ProgrammingError("a transaction is open already")
        self.raw.execute(BEGIN_WRITE)
        try:
            self.raw.execute(TAKE_WRITE_LOCK, (WRITE_LOCK_CLASS,))
        except psycopg.Error:
            self.rollback()
            raise

    def commit(self):
        """Commit; a transaction that failed inside (and so was rolled back) raises."""
        if self.raw.execute("COMMIT").statusmessage != "COMMIT":
            raise psycopg.errors.InFailedSqlTransaction(
                "the transaction had failed and was rolled back"
            )

    def rollback(self):
        """Roll the open transaction back."""
        self.raw.execute("ROLLBACK")


def is_unavailable(error):
    """Tell whether a psycopg error means "cannot serve now" rather than a bug."""
    return isinstance(error, UNAVAILABLE)


def is_missing_table(error):
    """Tell whether an error says a table does not exist (yet)."""
    return isinstance(error, pg_errors.UndefinedTable)


class ConnectionPool:
    """psycopg_pool's pool, opened lazily in each process (gunicorn forks after import).

    Every connection is checked as it is handed out, so one that the server
    dropped is replaced before a request sees it.
    """

    def __init__(self, database_url, *, size, timeout, statement_timeout):
        try:
            conninfo_to_dict(database_url)  # refuse a malformed URL at start-up
        except psycopg.ProgrammingError:
            # Not libpq's message: it quotes the part it could not read, maybe a password.
            raise ValueError(
                "DATABASE_URL is not a URL libpq accepts; check its syntax"
                " (percent-encode special characters)"
            ) from None
        self.database_url = database_url
        self.size = size
        self.timeout = timeout
        self.statement_timeout = statement_timeout
        self._pid, self._pool, self._abandoned = os.getpid(), None, []
        self._opening = threading.Lock()

    @classmethod
    def from_config(cls, config):
        """The pool for the app's DATABASE_URL."""
        return cls(
            config["DATABASE_URL"],
            size=config["DB_POOL_SIZE"],
            timeout=config["DB_BUSY_TIMEOUT"],
            statement_timeout=config["DB_STATEMENT_TIMEOUT"],
        )

    def _open_for_this_process(self):
        with self._opening:
            if self._pid != os.getpid():
                # The parent's pool shares its sockets with the parent: leave it alone.
                self._abandoned.append(self._pool)
                self._pid, self._pool = os.getpid(), None
            if self._pool is None:
                self._pool = self._open()

    def _open(self):
        pool = PsycopgPool(
            self.database_url,
            min_size=1,
            max_size=self.size,
            timeout=self.timeout,
            kwargs={
                "autocommit": True,
                "row_factory": _rows,
                "connect_timeout": max(2, round(self.timeout)),
                "application_name": APPLICATION_NAME,
            },
            configure=self._configure,
            check=PsycopgPool.check_connection,
            name="user-service",
            open=False,
        )
        pool.open(wait=False)
        return pool

    def _configure(self, raw):
        """Bound how long a statement, a wait for a lock or an idle transaction (a hung
        worker's, holding the write lock) may take; plan each run.

        psycopg prepares a statement run often; PostgreSQL then soon plans it once for
        any parameters. For a search that generic plan walks the whole id index
        instead of the trigram indexes (185 ms instead of 7 ms on 100,000 users).
        """
        statement_timeout = f"{round(self.statement_timeout * 1000)}ms"
        raw.execute(
            "SELECT set_config('lock_timeout', %s, false),"
            " set_config('statement_timeout', %s, false),"
            " set_config('idle_in_transaction_session_timeout', %s, false),"
            " set_config('plan_cache_mode', 'force_custom_plan', false)",
            (f"{round(self.timeout * 1000)}ms", statement_timeout, statement_timeout),
        )

    def acquire(self):
        """Hand out a connection of this process's pool (waiting up to the timeout)."""
        if self._pid != os.getpid() or self._pool is None:
            self._open_for_this_process()
        return PostgresConnection(self._pool.getconn())

    def release(self, conn):
        """Give a connection back; the pool rolls back or replaces it as needed."""
        self._pool.putconn(conn.raw)

    def discard(self, conn):
        """Close a connection that met an error; the pool opens a new one."""
        conn.raw.close()
        self._pool.putconn(conn.raw)

    def check_writable(self, conn):
        """Raise if the database cannot take a write now (locked, read-only, down)."""
        conn.begin_write()
        try:
            read_only = conn.execute("SHOW transaction_read_only").fetchone()[0]
        finally:
            conn.rollback()
        if read_only == "on":
            raise DatabaseUnavailable("the database is read-only")

    def close(self):
        """Close this process's connections (tests and CLI commands)."""
        if self._pool is not None and self._pid == os.getpid():
            self._pool.close()
            self._pool = None
