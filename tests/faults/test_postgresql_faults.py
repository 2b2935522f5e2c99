"""PostgreSQL going away under gunicorn: the pools replace what the server dropped."""

import psycopg
import pytest

from app.database.postgresql import APPLICATION_NAME
from tests.databases import fresh_database, postgresql_server_url
from tests.faults.helpers import create_admin, login, make_env, register, serve

pytestmark = pytest.mark.slow
ADMIN = "pg-admin@example.com"


def terminate_service_connections():
    """End every backend of the service on the server, as a restart or failover would."""
    with psycopg.connect(postgresql_server_url(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (APPLICATION_NAME,),
        ).fetchone()[0]


def test_dropped_connections_are_replaced_without_an_error(tmp_path):
    with fresh_database("postgresql", tmp_path) as database_url:
        env = make_env(tmp_path, DATABASE_URL=database_url)
        create_admin(env, ADMIN)
        with serve(env, tmp_path / "gunicorn.log", workers=2) as server:
            headers, _ = login(server, ADMIN)
            for number in range(4):  # the workers that answered hold connections now
                register(server, f"before{number}@example.com")
            assert terminate_service_connections() >= 1
            statuses = [server.request("GET", "/users/me", headers=headers)[0] for _ in range(20)]
            register(server, "after@example.com")
            health = server.request("GET", "/health")
    assert statuses == [200] * 20
    assert health[0] == 200 and health[2]["checks"]["database"] == "ok"
