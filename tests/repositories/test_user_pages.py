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


def query_plan(app, function=user_pages.list_page, **listing):
    """Run one listing and return the engine's plan for the (last) statement it sent.

    PostgreSQL is told to avoid sequential scans, which win on a near-empty
    table: the plan then shows which indexes can serve the statement.
    """
    with app.app_context():
        conn = Recorder(get_db())
        function(conn, limit=21, **listing)
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
    plan = query_plan(app, user_pages.matched_page, sort="id", descending=False, q="elek")
    assert "VIRTUAL TABLE INDEX" in plan and "users_search" in plan, plan


@pytest.mark.engines("postgresql")
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_search_uses_the_pg_trgm_indexes(app, sort):
    plan = query_plan(app, user_pages.matched_page, sort=sort, descending=False, q="elek")
    assert "users_name_trgm" in plan and "users_email_trgm" in plan, plan


def test_list_page_binds_search_text_as_a_parameter(app, make_user):
    make_user(name='O\'Brien "Quote" 100%_x')
    with app.app_context():
        rows = user_pages.list_page(
            get_db(), sort="id", descending=False, limit=5, q='\'brien "quote" 100%_'
        )
        short = user_pages.list_page(get_db(), sort="id", descending=False, limit=5, q="%_")
    assert [user.name for user in rows] == ['O\'Brien "Quote" 100%_x']
    assert [user.name for user in short] == ['O\'Brien "Quote" 100%_x']


def _fill(app, count):
    """Insert `count` users straight into the table: one in three is a 'Walker'."""
    from app.database import transaction

    with app.app_context():
        conn = get_db()
        with transaction(conn):
            for number in range(count):
                name = f"{'Walker' if number % 3 == 0 else 'Other'} {chr(65 + number % 26)}"
                conn.execute(
                    "INSERT INTO users (name, email, password_hash, created_at, updated_at)"
                    " VALUES (:name, :email, 'x', :stamp, :stamp)",
                    {
                        "name": f"{name} {number}",
                        "email": f"u{number}@example.com",
                        "stamp": f"2026-01-01T00:00:{number % 60:02d}.{number:06d}Z",
                    },
                )
            conn.execute(
                "INSERT INTO users (name, email, password_hash, created_at, updated_at)"
                " VALUES ('Zzrare Person', 'rare@example.com', 'x', :stamp, :stamp)",
                {"stamp": "2026-01-01T00:00:59.999999Z"},
            )
        if conn.engine == "postgresql":
            conn.execute("ANALYZE users")  # the statistics its planner's estimate reads


def _pages(app, function, *, sort, descending, q, pages=3):
    """The ids of the first `pages` pages of 7, each resumed after the previous one."""
    with app.app_context():
        conn, after, ids = Recorder(get_db()), None, []
        for _ in range(pages):
            rows = function(conn, sort=sort, descending=descending, limit=7, after=after, q=q)
            ids.append([row.id for row in rows])
            if not rows:
                break
            last = rows[-1]
            after = {"id": last.id, "value": user_pages.sort_value(last, sort)}
        return ids, conn.sent


@pytest.fixture
def filled(app, monkeypatch):
    """300 users, 100 of them 'Walker's: common, once 'common' starts at 50 matches."""
    monkeypatch.setattr(user_pages, "COMMON_MATCHES", 50)
    _fill(app, 300)
    return app


def _walk_statement(sent):
    return next(sql for sql, _ in sent if sql.startswith("SELECT id FROM users WHERE"))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_common_search_walks_the_sort_index_and_stops(filled, sort, descending):
    walked, sent = _pages(
        filled, user_pages.list_page, sort=sort, descending=descending, q="walker"
    )
    everything, _ = _pages(
        filled, user_pages.matched_page, sort=sort, descending=descending, q="walker"
    )
    assert walked == everything and all(len(page) == 7 for page in walked)
    assert "users_search" not in _walk_statement(sent)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_rare_search_turns_to_the_trigram_index(filled, sort, descending):
    walked, sent = _pages(
        filled, user_pages.list_page, sort=sort, descending=descending, q="zzrare", pages=1
    )
    with filled.app_context():
        conn = get_db()
        rare = conn.execute("SELECT id FROM users WHERE name = 'Zzrare Person'").fetchone()
        engine = conn.engine
    assert walked == [[rare["id"]]]
    assert not any(sql.startswith("SELECT id FROM users WHERE") for sql, _ in sent), sent
    if engine == "sqlite":
        assert "users_search" in sent[-1][0]


@pytest.mark.parametrize("q", ["WALKER", "wAlKeR 1", "er 2", "u10@"])
def test_list_page_walk_and_trigram_index_agree(filled, q):
    walked, _ = _pages(filled, user_pages.list_page, sort="name", descending=False, q=q)
    everything, _ = _pages(filled, user_pages.matched_page, sort="name", descending=False, q=q)
    assert walked == everything


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_list_page_walk_reads_the_sort_index_without_a_sort_step(filled, sort, descending):
    with filled.app_context():
        conn = Recorder(get_db())
        user_pages.list_page(conn, limit=21, sort=sort, descending=descending, q="walker")
        sql = _walk_statement(conn.sent)
        params = next(p for s, p in conn.sent if s == sql)
        if conn.engine == "sqlite":
            plan = " | ".join(
                row["detail"] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            )
        else:
            # On 300 rows any plan is cheap; these say which ones the indexes allow.
            conn.execute("SET enable_seqscan = off")
            conn.execute("SET enable_bitmapscan = off")
            plan = " | ".join(row[0] for row in conn.execute(f"EXPLAIN {sql}", params))
            conn.execute("RESET enable_bitmapscan")
    assert "trgm" not in plan and "users_search" not in plan, plan
    if conn.engine == "sqlite":
        # PostgreSQL's planner may sort a row or two on a table this small.
        assert "TEMP B-TREE" not in plan, plan
