"""Migration 0006: the email key is computed in Python for the rows already there, and
duplicates by that key are reported, never left to fail silently (issue 12, item 4)."""

import pytest

from app import migrations
from app.database import DATABASE_ERRORS, transaction
from app.security.email_address import email_key
from tests.databases import migrated_before


@pytest.fixture
def conn(database_url, tmp_path):
    """A database migrated up to 0005 only."""
    with migrated_before(database_url, tmp_path / "before-0006", "0006") as connection:
        yield connection


def add_user(conn, email):
    """Insert a user as the schema before 0006 let one in; return its id."""
    with transaction(conn):
        return conn.execute(
            "INSERT INTO users (name, email, password_hash, created_at, updated_at)"
            " VALUES ('Old User', :email, 'x', '2026-01-01T00:00:00.000000Z',"
            " '2026-01-01T00:00:00.000000Z') RETURNING id",
            {"email": email},
        ).fetchone()["id"]


def stored_keys(conn):
    return {
        row["email"]: row["email_key"] for row in conn.execute("SELECT email, email_key FROM users")
    }


def test_upgrade_computes_email_key_of_existing_rows(conn):
    emails = ["teszt.elek@example.com", "odysseus.zoς@example.org", "straße@example.org"]
    for email in emails:
        add_user(conn, email)
    migrations.upgrade(conn)
    assert stored_keys(conn) == {email: email_key(email) for email in emails}
    assert stored_keys(conn)["odysseus.zoς@example.org"] == "odysseus.zoσ@example.org"


def test_upgrade_with_duplicate_keys_refuses_naming_the_ids(conn):
    first = add_user(conn, "odysseus.zoσ@example.org")
    second = add_user(conn, "odysseus.zoς@example.org")
    add_user(conn, "someone.else@example.org")
    with pytest.raises(migrations.MigrationRefused, match=f"{first}, {second}"):
        migrations.upgrade(conn)
    assert "0006" not in migrations.applied_versions(conn)
    assert not conn.in_transaction


def test_upgrade_then_equal_key_is_refused_by_the_database(conn):
    add_user(conn, "straße@example.org")
    migrations.upgrade(conn)
    with pytest.raises(DATABASE_ERRORS):
        with transaction(conn):
            conn.execute(
                "INSERT INTO users (name, email, email_key, password_hash, created_at,"
                " updated_at) VALUES ('New', 'strasse@example.org', :key, 'x', 'now', 'now')",
                {"key": email_key("strasse@example.org")},
            )
