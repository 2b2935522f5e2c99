"""Offset pages without a filter start at the id block that holds them (migration 0012).

Every page and total must be what walking every id would give, whatever the ids,
after inserts and deletes, and for users already there when the migration ran.
"""

import pytest

from app import migrations
from app.database import get_db, transaction
from app.repositories import scim_users as scim_repo
from tests.databases import migrated_before

# Spread over several blocks of 1,024 ids, with empty blocks between and a full one.
IDS = [1, 2, 1023, 1024, 1025, 2047, 5000, 9999, *range(3072, 4096)]


def insert_users(conn, ids):
    with transaction(conn):
        for user_id in ids:
            conn.execute(
                "INSERT INTO users (id, name, email, email_key, password_hash, created_at,"
                " updated_at) VALUES (:id, :name, :email, :email, 'x',"
                " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                {"id": user_id, "name": f"User {user_id}", "email": f"u{user_id}@example.com"},
            )


def walked_ids(conn, offset, limit):
    rows = conn.execute(
        "SELECT id FROM users ORDER BY id LIMIT :limit OFFSET :offset",
        {"limit": limit, "offset": offset},
    ).fetchall()
    return [row[0] for row in rows]


def assert_pages_match_the_walk(conn):
    total = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    assert scim_repo.count(conn, None) == total
    for offset in (0, 1, 2, 3, 7, 8, 500, 1030, total - 3, total - 1, total, total + 5):
        for limit in (1, 3, 100):
            page = [user.id for user in scim_repo.page(conn, None, offset=offset, limit=limit)]
            assert page == walked_ids(conn, offset, limit), (offset, limit)


def test_deep_pages_and_totals_match_walking_every_id(app):
    with app.app_context():
        conn = get_db()
        insert_users(conn, IDS)
        assert_pages_match_the_walk(conn)
        with transaction(conn):
            conn.execute("DELETE FROM users WHERE id IN (2, 1024, 3500, 9999)")
            conn.execute("DELETE FROM users WHERE id BETWEEN 3100 AND 3199")
        assert_pages_match_the_walk(conn)
        insert_users(conn, [3500, 12345])
        assert_pages_match_the_walk(conn)


def test_a_filtered_page_still_counts_its_matches(app):
    with app.app_context():
        conn = get_db()
        insert_users(conn, IDS)
        condition = scim_repo.Comparison("emails.value", "sw", "u102")
        assert scim_repo.count(conn, condition) == 3  # 1023, 1024 and 1025
        assert [u.id for u in scim_repo.page(conn, condition, offset=1, limit=2)] == [1024, 1025]


@pytest.fixture
def before_0012(database_url, tmp_path):
    with migrated_before(database_url, tmp_path / "before-0012", "0012") as connection:
        yield connection


def test_upgrade_counts_the_users_already_there(before_0012):
    conn = before_0012
    insert_users(conn, IDS)
    migrations.upgrade(conn)
    assert_pages_match_the_walk(conn)
