"""The listing's SQL: every sort is served in index order, search uses the trigram index."""

import pytest

from app.database import get_db
from app.repositories import user_pages

SORTS = ["id", "created_at", "name", "email"]


def query_plan(app, **listing):
    """Run one listing and return SQLite's plan for the statement it sent."""
    with app.app_context():
        conn = get_db()
        statements = []
        conn.set_trace_callback(statements.append)
        user_pages.list_page(conn, limit=21, **listing)
        conn.set_trace_callback(None)
        select = next(s for s in statements if "FROM users " in s)  # not FTS5's own
        return " | ".join(row["detail"] for row in conn.execute(f"EXPLAIN QUERY PLAN {select}"))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_sorts_without_a_temporary_b_tree(app, sort, descending):
    after = {"id": 10, "value": 10 if sort == "id" else "m"}
    for keyset in (None, after):
        plan = query_plan(app, sort=sort, descending=descending, after=keyset)
        assert "TEMP B-TREE" not in plan, plan


def test_list_page_search_uses_the_trigram_index(app):
    plan = query_plan(app, sort="id", descending=False, q="elek")
    assert "VIRTUAL TABLE INDEX" in plan and "users_search" in plan, plan


def test_list_page_binds_search_text_as_a_parameter(app, make_user):
    make_user(name="O'Brien \"Quote\" 100%_x")
    with app.app_context():
        rows = user_pages.list_page(get_db(), sort="id", descending=False, limit=5,
                                    q="'brien \"quote\" 100%_")
        short = user_pages.list_page(get_db(), sort="id", descending=False, limit=5, q="%_")
    assert [user.name for user in rows] == ["O'Brien \"Quote\" 100%_x"]
    assert [user.name for user in short] == ["O'Brien \"Quote\" 100%_x"]
