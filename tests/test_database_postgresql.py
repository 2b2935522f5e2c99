"""What only the PostgreSQL engine does: its dialect, its pool, and its failures as 503s."""

import contextlib
import os

import psycopg
import pytest

from app import create_app, migrations
from app.database import get_db, transaction
from app.database.postgresql import Row, to_pyformat
from tests.databases import postgresql_schema, postgresql_server_url, write_lock_held
from tests.helpers import PASSWORD, assert_problem
from tests.servers import free_port

NEW_USER = {"name": "Pat Postgres", "email": "pat@example.com", "password": PASSWORD}
pytestmark = pytest.mark.engines("postgresql")


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT * FROM users WHERE id = :id", "SELECT * FROM users WHERE id = %(id)s"),
        ("UPDATE t SET a = :a, b = :a", "UPDATE t SET a = %(a)s, b = %(a)s"),
        ("SELECT :value::text", "SELECT %(value)s::text"),
        ("SELECT 'x' LIKE '%' || :q", "SELECT 'x' LIKE '%%' || %(q)s"),
    ],
)
def test_to_pyformat_turns_named_parameters_into_psycopg_ones(sql, expected):
    assert to_pyformat(sql) == expected


def test_row_reads_by_name_and_by_position():
    row = Row(("Ada", 36), {"name": 0, "age": 1})
    assert (row["name"], row[1], tuple(row)) == ("Ada", 36, ("Ada", 36))
    assert row.keys() == ["name", "age"]


def test_statements_bind_values_that_look_like_sql(app, make_user):
    user = make_user(name="Robert'); DROP TABLE users; -- :id %s")
    with app.app_context():
        names = [row["name"] for row in get_db().execute("SELECT name FROM users")]
    assert names == [user.name]


def backend_pid(app):
    with app.app_context():
        return get_db().execute("SELECT pg_backend_pid()").fetchone()[0]


def test_lost_connection_is_replaced_by_the_pool(app, database_url):
    client = app.test_client()
    pid = backend_pid(app)
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert client.post("/users", json=NEW_USER).status_code == 201
    assert backend_pid(app) != pid


@pytest.mark.parametrize("method, path", [("GET", "/health"), ("POST", "/users")])
def test_unreachable_server_is_service_unavailable(settings, method, path):
    url = f"postgresql://127.0.0.1:{free_port()}/test"
    app = create_app({**settings, "DATABASE_URL": url, "DB_BUSY_TIMEOUT": 0.5})
    try:
        response = app.test_client().open(path, method=method, json=NEW_USER)
    finally:
        app.extensions["db_pool"].close()
    body = assert_problem(response, 503, "service_unavailable")
    assert path != "/health" or body["checks"]["database"] == "unavailable"


@pytest.fixture
def read_only_app(settings, app):
    """A second app on the migrated schema whose sessions may not write."""
    url = settings["DATABASE_URL"] + "%20-cdefault_transaction_read_only%3Don"
    read_only = create_app({**settings, "DATABASE_URL": url})
    yield read_only
    read_only.extensions["db_pool"].close()


@pytest.mark.parametrize("method, path", [("GET", "/health"), ("POST", "/users")])
def test_read_only_database_is_service_unavailable(read_only_app, method, path):
    response = read_only_app.test_client().open(path, method=method, json=NEW_USER)
    body = assert_problem(response, 503, "service_unavailable")
    assert path != "/health" or body["checks"]["database"] == "unavailable"


def test_pool_opens_in_the_process_that_uses_it(settings):
    app = create_app(settings)
    assert app.extensions["db_pool"]._pool is None  # gunicorn forks after create_app
    with app.app_context():
        migrations.upgrade(get_db())
    assert app.extensions["db_pool"]._pool is not None
    app.extensions["db_pool"].close()


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("lock_timeout", "5s"),
        ("statement_timeout", "10s"),
        # A generic plan of the search walks the id index instead of the trigram indexes.
        ("plan_cache_mode", "force_custom_plan"),
    ],
)
def test_pooled_connection_has_setting(app, setting, expected):
    with app.app_context():
        value = get_db().execute("SELECT current_setting(:name)", {"name": setting}).fetchone()[0]
    assert value == expected


def test_write_lock_held_on_another_schema_does_not_block(client, database_url):
    with postgresql_schema(postgresql_server_url()) as other_schema:
        with write_lock_held(other_schema):
            assert client.post("/users", json=NEW_USER).status_code == 201


@pytest.fixture
def repeatable_read_app(settings):
    """An app whose server default is repeatable read (a role or database setting)."""
    url = settings["DATABASE_URL"] + "%20-cdefault_transaction_isolation%3Drepeatable%5C%20read"
    app = create_app({**settings, "DATABASE_URL": url})
    yield app
    app.extensions["db_pool"].close()


def test_write_transaction_reads_committed_whatever_the_default(repeatable_read_app):
    with repeatable_read_app.app_context():
        conn = get_db()
        assert conn.execute("SHOW default_transaction_isolation").fetchone()[0] == "repeatable read"
        with transaction(conn):
            assert conn.execute("SHOW transaction_isolation").fetchone()[0] == "read committed"


@pytest.mark.parametrize("settings", [{"DB_BUSY_TIMEOUT": 0.2}], indirect=True)
def test_write_lock_timeout_leaves_the_connection_usable(app, database_url):
    with app.app_context(), write_lock_held(database_url):
        conn = get_db()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            conn.begin_write()
        assert not conn.in_transaction
        assert conn.execute("SELECT 1").fetchone()[0] == 1


def test_commit_of_a_failed_transaction_raises(app):
    with app.app_context():
        conn = get_db()
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            with transaction(conn):
                with contextlib.suppress(psycopg.errors.UndefinedTable):
                    conn.execute("SELECT * FROM no_such_table")
        assert not conn.in_transaction


def test_transaction_inside_a_transaction_is_refused(app):
    with app.app_context():
        conn = get_db()
        with transaction(conn), pytest.raises(psycopg.ProgrammingError, match="open already"):
            conn.begin_write()


def test_forked_child_gets_connections_of_its_own(app):
    read_end, write_end = os.pipe()
    with app.app_context():
        conn = get_db()
        parent_backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        child = os.fork()
        if child == 0:  # the child: report its backend, never return into pytest
            try:
                os.write(write_end, str(backend_pid(app)).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        child_backend = int(os.read(read_end, 32) or 0)
        os.waitpid(child, 0)
        assert child_backend not in (0, parent_backend)
        # The parent's connection, in use across the fork, survived the child.
        assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] == parent_backend
