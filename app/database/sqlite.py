"""The SQLite engine: a file, one idle connection kept per thread."""

import os
import sqlite3
import threading
import time
from pathlib import Path

from app.database.unavailable import DatabaseUnavailable

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
SQLITE_PREFIX = "sqlite:///"
UNAVAILABLE_SIGNS = (
    "locked",
    "busy",
    "unable to open",
    "readonly",
    "disk i/o",
    "disk is full",
    "no such table",
)
ERRORS = (sqlite3.Error,)
INTEGRITY_ERRORS = (sqlite3.IntegrityError,)


def sqlite_path(database_url):
    """Return the file path named by a `sqlite:///` URL (relative to the project)."""
    if not database_url.startswith(SQLITE_PREFIX):
        # Not the URL itself: it may hold a password.
        scheme = database_url.partition(":")[0]
        raise ValueError(
            f"unsupported DATABASE_URL (scheme {scheme!r}); use sqlite:///path or postgresql://..."
        )
    path = database_url[len(SQLITE_PREFIX) :]
    if not path or path.startswith(":memory:"):
        raise ValueError("the database must be a file, not :memory:")
    return Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection with the two things the engines name differently."""

    engine = "sqlite"
    after_commit = None  # what app.database.transaction runs once committed

    def begin_write(self):
        """Start a write transaction, taking the database's one write lock now."""
        self.execute("BEGIN IMMEDIATE")


def connect(path, busy_timeout):
    """Open a connection with the PRAGMAs every connection needs."""
    conn = sqlite3.connect(
        path,
        timeout=busy_timeout,
        isolation_level=None,
        check_same_thread=True,
        factory=SqliteConnection,
    )
    conn.row_factory = sqlite3.Row
    # SQLite's lower() folds ASCII only; PostgreSQL's folds all of Unicode (by the
    # database's LC_CTYPE). Fold all of it here too, so the same SQL means the same.
    conn.create_function("lower", 1, _lower, deterministic=True)
    # The substring test of a search that walks a sort index instead of the FTS5
    # trigram table; it folds case the way that table does (Σ and ς alike, say).
    conn.create_function("search_match", 3, _search_match, deterministic=True)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    _use_wal(conn, busy_timeout)
    return conn


def _use_wal(conn, busy_timeout):
    """Switch the file to WAL (once; it sticks), waiting out writers like a busy timeout.

    SQLite answers "database is locked" at once, without its busy handler, when
    another connection writes while this one changes the journal mode.
    """
    deadline = time.monotonic() + busy_timeout
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _identity(path):
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _lower(text):
    return text.lower() if isinstance(text, str) else text


def _search_match(name, email, folded_query):
    """Tell whether a case-folded query is a substring of the name or the email."""
    return (folded_query in name.casefold()) or (folded_query in email.casefold())


def is_unavailable(error):
    """Tell whether an SQLite error means "cannot serve now" rather than a bug."""
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(sign in message for sign in UNAVAILABLE_SIGNS)
    return isinstance(error, sqlite3.DatabaseError) and any(
        sign in str(error) for sign in ("not a database", "malformed")
    )


def is_missing_table(error):
    """Tell whether an error says a table does not exist (yet)."""
    return isinstance(error, sqlite3.OperationalError) and "no such table" in str(error)


class ConnectionPool:
    """Keeps one idle connection per thread so requests skip the cost of opening one.

    A connection never leaves the thread that opened it. After a fork the child
    starts empty: connections inherited from the parent are abandoned, not closed,
    because SQLite must not touch them from another process.
    """

    def __init__(self, path, busy_timeout):
        self.path = path
        self.busy_timeout = busy_timeout
        self._reset()

    @classmethod
    def from_config(cls, config):
        """The pool for the app's DATABASE_URL."""
        return cls(sqlite_path(config["DATABASE_URL"]), config["DB_BUSY_TIMEOUT"])

    def _reset(self):
        self._pid = os.getpid()
        self._local = threading.local()
        self._abandoned = []

    def acquire(self):
        """Hand out this thread's idle connection, or open a new one.

        An idle connection is reused only while the path still names the file it
        was opened on: after the file is deleted or restored from a backup, a kept
        connection would go on writing to the old one.
        """
        if self._pid != os.getpid():
            self._abandoned.append(self._local)
            self._reset()
        conn, self._local.idle = getattr(self._local, "idle", None), None
        if conn is not None and self._local.identity == _identity(self.path):
            return conn
        if conn is not None:
            conn.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(self.path, self.busy_timeout)
        self._local.identity = _identity(self.path)
        return conn

    def discard(self, conn):
        """Close a connection that met an error instead of keeping it."""
        conn.close()

    def release(self, conn):
        """Take a connection back, rolled back; keep it if the thread has none idle."""
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error:
            conn.close()
            return
        if self._pid == os.getpid() and getattr(self._local, "idle", None) is None:
            self._local.idle = conn
        else:
            conn.close()

    def check_writable(self, conn):
        """Raise if the database cannot take a write now (locked, read-only, broken).

        In WAL mode the write lock lives in shared memory, so it can be taken even on
        a file that has turned read-only: ask the file system as well.
        """
        for file in (self.path, self.path.with_name(f"{self.path.name}-wal")):
            if file.exists() and not os.access(file, os.W_OK):
                raise DatabaseUnavailable(f"{file.name} is not writable")
        conn.begin_write()
        conn.rollback()

    def close(self):
        """Close this thread's idle connection (tests and CLI commands)."""
        conn, self._local.idle = getattr(self._local, "idle", None), None
        if conn is not None and self._pid == os.getpid():
            conn.close()
