"""Migration 0010: users already there answer to their email, and keep doing so."""

import shutil

import pytest

from app import migrations
from app.database import open_pool, transaction
from app.repositories import scim_users as scim_repo

SETTINGS = {"DB_BUSY_TIMEOUT": 5.0, "DB_POOL_SIZE": 1, "DB_STATEMENT_TIMEOUT": 10.0}


@pytest.fixture
def conn(database_url, tmp_path):
    """A database migrated up to 0009 only."""
    folder = tmp_path / "before-0010"
    for path in migrations.MIGRATIONS_DIR.rglob("*.sql"):
        if path.name < "0010":
            target = folder / path.relative_to(migrations.MIGRATIONS_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    pool = open_pool({"DATABASE_URL": database_url, **SETTINGS})
    connection = pool.acquire()
    migrations.upgrade(connection, folder)
    yield connection
    pool.release(connection)
    pool.close()


def test_upgrade_makes_existing_users_answer_to_their_email(conn):
    with transaction(conn):
        conn.execute(
            "INSERT INTO users (name, email, email_key, password_hash, created_at, updated_at)"
            " VALUES ('Old User', 'old@example.com', 'old@example.com', 'x',"
            " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"
        )
    migrations.upgrade(conn)
    condition = scim_repo.Comparison("userName", "eq", "OLD@example.com")
    [user] = scim_repo.page(conn, condition, offset=0, limit=10)
    assert (user.email, user.user_name, user.scim_user_name) == (
        "old@example.com",
        None,
        "old@example.com",
    )
