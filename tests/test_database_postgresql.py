"""What only the PostgreSQL engine does: its dialect, its pool, and its failures as 503s."""

import psycopg
import pytest

from app import create_app, migrations
from app.database import get_db
from app.database.postgresql import Row, to_pyformat
from tests.conftest import PASSWORD, assert_problem
from tests.servers import free_port

NEW_USER = {"name": "Pat Postgres", "email": "pat@example.com", "password": PASSWORD}
pytestmark = pytest.mark.engines("postgresql")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT * FROM users WHERE id = :id", "SELECT * FROM users WHERE id = %(id)s"),
    ("UPDATE t SET a = :a, b = :a", "UPDATE t SET a = %(a)s, b = %(a)s"),
    ("SELECT :value::text", "SELECT %(value)s::text"),
    ("SELECT 'x' LIKE '%' || :q", "SELECT 'x' LIKE '%%' || %(q)s"),
])
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


@pytest.mark.parametrize("setting, expected", [
    ("lock_timeout", "5s"), ("statement_timeout", "10s"),
    # A generic plan of the search walks the id index instead of the trigram indexes.
    ("plan_cache_mode", "force_custom_plan"),
])
def test_pooled_connection_has_setting(app, setting, expected):
    with app.app_context():
        value = get_db().execute("SELECT current_setting(:name)", {"name": setting}).fetchone()[0]
    assert value == expected
