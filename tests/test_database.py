"""Connections: one per request from the engine's pool; SQLite's per-thread pool and PRAGMAs."""

import os
import sqlite3
import threading

import pytest

from app import create_app, migrations
from app.database import PROJECT_ROOT, display_url, get_db, transaction
from app.database.sqlite import ConnectionPool, sqlite_path


@pytest.fixture
def fresh_app(settings):
    """An app outside pytest-flask's pushed context: each request has its own app context."""
    app = create_app({**settings, "DB_BUSY_TIMEOUT": 1.5})
    with app.app_context():
        migrations.upgrade(get_db())
    return app


@pytest.fixture
def pool_log(fresh_app, monkeypatch):
    """Record the connections the app's pool hands out and takes back."""
    pool = fresh_app.extensions["db_pool"]
    log = {"acquired": [], "released": []}
    acquire, release = pool.acquire, pool.release

    def spy_acquire():
        log["acquired"].append(acquire())
        return log["acquired"][-1]

    def spy_release(conn):
        log["released"].append(conn)
        release(conn)

    monkeypatch.setattr(pool, "acquire", spy_acquire)
    monkeypatch.setattr(pool, "release", spy_release)
    return log


@pytest.fixture
def pool(tmp_path):
    return ConnectionPool(tmp_path / "pool.db", busy_timeout=1.0)


def test_request_returns_its_connection_to_the_pool(fresh_app, pool_log):
    assert fresh_app.test_client().get("/health").status_code == 200
    assert len(pool_log["acquired"]) == 1
    assert pool_log["released"] == pool_log["acquired"]


@pytest.mark.engines("sqlite")
def test_next_request_on_same_thread_reuses_the_connection(fresh_app, pool_log):
    client = fresh_app.test_client()
    client.get("/health")
    client.get("/health")
    first, second = pool_log["acquired"]
    assert first is second


def test_request_without_database_takes_no_connection(fresh_app, pool_log):
    fresh_app.test_client().get("/health/live")
    assert pool_log["acquired"] == []


def test_teardown_rolls_back_an_open_transaction(fresh_app):
    with fresh_app.app_context():
        conn = get_db()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO schema_migrations VALUES ('9999', 'stray', 'now')")
    assert not conn.in_transaction
    assert conn.execute("SELECT * FROM schema_migrations WHERE version = '9999'").fetchall() == []


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize(
    "pragma, expected",
    [
        ("foreign_keys", 1),
        ("journal_mode", "wal"),
        ("synchronous", 2),
        ("busy_timeout", 1500),
    ],
)
def test_connection_has_pragma(fresh_app, pragma, expected):
    with fresh_app.app_context():
        assert get_db().execute(f"PRAGMA {pragma}").fetchone()[0] == expected


def test_pool_hands_back_the_released_connection(pool):
    conn = pool.acquire()
    pool.release(conn)
    assert pool.acquire() is conn


def test_pool_opens_a_second_connection_while_the_first_is_out(pool):
    assert pool.acquire() is not pool.acquire()


def test_pool_gives_another_thread_its_own_connection(pool):
    conn = pool.acquire()
    pool.release(conn)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(pool.acquire()))
    thread.start()
    thread.join()
    assert seen and seen[0] is not conn


def test_pool_rolls_back_on_release(pool):
    conn = pool.acquire()
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE stray (x)")
    pool.release(conn)
    assert not conn.in_transaction
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'stray'").fetchall() == []


def test_pool_discards_an_unusable_connection(pool):
    conn = pool.acquire()
    conn.close()
    pool.release(conn)
    assert pool.acquire() is not conn


def test_pool_after_fork_opens_a_new_connection(pool, monkeypatch):
    parents = pool.acquire()
    pool.release(parents)
    child_pid = os.getpid() + 1
    monkeypatch.setattr(os, "getpid", lambda: child_pid)
    childs = pool.acquire()
    assert childs is not parents
    pool.release(childs)
    assert pool.acquire() is childs


def test_pool_after_fork_leaves_the_parents_connection_open(pool, monkeypatch):
    parents = pool.acquire()
    pool.release(parents)
    child_pid = os.getpid() + 1
    monkeypatch.setattr(os, "getpid", lambda: child_pid)
    pool.acquire()
    assert parents.execute("SELECT 1").fetchone()[0] == 1


def test_pool_waits_for_a_writer_before_switching_to_wal(tmp_path):
    writer = sqlite3.connect(tmp_path / "legacy.db", isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (a)")
    writer.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.2, writer.commit)
    timer.start()
    try:
        conn = ConnectionPool(tmp_path / "legacy.db", busy_timeout=5.0).acquire()
    finally:
        timer.join()
        writer.close()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transaction_commits_on_success(pool):
    conn = pool.acquire()
    with transaction(conn):
        conn.execute("CREATE TABLE kept (x)")
    assert not conn.in_transaction
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'kept'").fetchone()


def test_transaction_rolls_back_on_error(pool):
    conn = pool.acquire()
    with pytest.raises(ZeroDivisionError), transaction(conn):
        conn.execute("CREATE TABLE dropped (x)")
        1 / 0  # noqa: B018 (fails inside the transaction)
    assert not conn.in_transaction
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'dropped'").fetchone() is None


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///:memory:",
        "sqlite:///:memory:?cache=shared",
        "sqlite://",
        "sqlite:///",
        "sqlite://:memory:",
        "postgresql://user@localhost/users",
        "mysql:///users",
        "users.db",
        "",
    ],
)
def test_sqlite_path_rejects(url):
    with pytest.raises(ValueError):
        sqlite_path(url)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("sqlite:///instance/users.db", PROJECT_ROOT / "instance" / "users.db"),
        ("sqlite:///users.db", PROJECT_ROOT / "users.db"),
        ("sqlite:////srv/data/users.db", "/srv/data/users.db"),
    ],
)
def test_sqlite_path_resolves(url, expected):
    assert str(sqlite_path(url)) == str(expected)


@pytest.mark.engines("sqlite")
def test_create_app_refuses_an_in_memory_database(settings):
    with pytest.raises(ValueError):
        create_app({**settings, "DATABASE_URL": "sqlite:///:memory:"})


def test_connect_to_unusable_file_raises_a_database_error(tmp_path):
    (tmp_path / "garbage.db").write_bytes(b"not a database at all " * 100)
    with pytest.raises(sqlite3.DatabaseError):
        ConnectionPool(tmp_path / "garbage.db", busy_timeout=0.1).acquire()


@pytest.mark.parametrize(
    "url, shown",
    [
        (
            "postgresql://users:s3cr:et@db.internal:5432/users",
            "postgresql://users:***@db.internal:5432/users",
        ),
        ("postgresql://users@db.internal/users", "postgresql://users@db.internal/users"),
        (
            "postgresql://db/users?options=-csearch_path%3Da",
            "postgresql://db/users?options=-csearch_path%3Da",
        ),
        ("sqlite:///instance/users.db", "sqlite:///instance/users.db"),
        (
            "postgresql://db/users?sslmode=require&password=hush&sslpassword=hush2",
            "postgresql://db/users?sslmode=require&password=***&sslpassword=***",
        ),
    ],
)
def test_display_url_hides_the_password(url, shown):
    assert display_url(url) == shown
