"""The listing's SQL: every sort is served in index order, search uses the trigram index."""

import pytest

from app.database import get_db
from app.repositories import user_pages

SORTS = ["id", "created_at", "name", "email"]


class Recorder:
    """A connection that remembers the statements sent through it."""

    def __init__(self, conn):
        self.conn, self.sent = conn, []
        self.engine = conn.engine

    def execute(self, sql, params=None):
        self.sent.append((sql, params))
        return self.conn.execute(sql, params)


def query_plan(app, **listing):
    """Run one listing and return the engine's plan for the statement it sent.

    PostgreSQL is told to avoid sequential scans, which win on a near-empty
    table: the plan then shows which indexes can serve the statement.
    """
    with app.app_context():
        conn = Recorder(get_db())
        user_pages.list_page(conn, limit=21, **listing)
        sql, params = conn.sent[-1]
        if conn.engine == "sqlite":
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(row["detail"] for row in rows)
        conn.execute("SET enable_seqscan = off")
        return " | ".join(row[0] for row in conn.execute(f"EXPLAIN {sql}", params))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_sorts_without_a_sort_step(app, sort, descending):
    after = {"id": 10, "value": 10 if sort == "id" else "m"}
    for keyset in (None, after):
        plan = query_plan(app, sort=sort, descending=descending, after=keyset)
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


@pytest.mark.engines("sqlite")
def test_list_page_search_uses_the_fts5_trigram_index(app):
    plan = query_plan(app, sort="id", descending=False, q="elek")
    assert "VIRTUAL TABLE INDEX" in plan and "users_search" in plan, plan


@pytest.mark.engines("postgresql")
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_search_uses_the_pg_trgm_indexes(app, sort):
    plan = query_plan(app, sort=sort, descending=False, q="elek")
    assert "users_name_trgm" in plan and "users_email_trgm" in plan, plan


def test_list_page_binds_search_text_as_a_parameter(app, make_user):
    make_user(name="O'Brien \"Quote\" 100%_x")
    with app.app_context():
        rows = user_pages.list_page(get_db(), sort="id", descending=False, limit=5,
                                    q="'brien \"quote\" 100%_")
        short = user_pages.list_page(get_db(), sort="id", descending=False, limit=5, q="%_")
    assert [user.name for user in rows] == ["O'Brien \"Quote\" 100%_x"]
    assert [user.name for user in short] == ["O'Brien \"Quote\" 100%_x"]
