"""Migration 0010: users already there answer to their email, and keep doing so."""

import pytest

from app import migrations
from app.database import transaction
from app.repositories import scim_users as scim_repo
from tests.databases import migrated_before


@pytest.fixture
def conn(database_url, tmp_path):
    """A database migrated up to 0009 only."""
    with migrated_before(database_url, tmp_path / "before-0010", "0010") as connection:
        yield connection


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
