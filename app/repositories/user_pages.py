"""SQL for listing users: filters, substring search and keyset pages."""

import json

from app.models import User, to_db_time
from app.repositories.users import COLUMNS

# Fixed SQL fragments chosen by name; no request value is ever put into SQL text.
SORT_COLUMNS = {"id": "id", "created_at": "created_at", "name": "name", "email": "email"}
MIN_TRIGRAM_LENGTH = 3
# From this many matching users on, a search walks the sort index (see _is_common).
COMMON_MATCHES = 1000


def _search_clause(conn, query, params):
    """Match a case-insensitive substring of name or email through an index.

    On SQLite, three characters or more go through the FTS5 trigram table; on
    PostgreSQL, the pg_trgm indexes serve the LIKE itself. Shorter queries are
    rare enough to scan for.
    """
    if conn.engine == "sqlite" and len(query) >= MIN_TRIGRAM_LENGTH:
        params["q_match"] = '"' + query.replace('"', '""') + '"'
        return "id IN (SELECT rowid FROM users_search WHERE users_search MATCH :q_match)"
    return _like_clause(query, params)


def _like_clause(query, params):
    """The substring test on one row; the database folds both sides, so alike."""
    params["q_like"] = _contains_pattern(query)
    return (
        "(lower(name) LIKE lower(:q_like) ESCAPE '\\'"
        " OR lower(email) LIKE lower(:q_like) ESCAPE '\\')"
    )


def _contains_pattern(query):
    """A LIKE pattern (escape character `\\`) matching any text that contains `query`."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _after_clause(sort, descending, after, params):
    """Keyset condition: rows strictly past the last row of the previous page."""
    operator = "<" if descending else ">"
    params["after_id"] = after["id"]
    if sort == "id":
        return f"id {operator} :after_id"
    params["after_value"] = after["value"]
    return f"({SORT_COLUMNS[sort]}, id) {operator} (:after_value, :after_id)"


def list_page(conn, *, sort, descending, limit, after=None, q=None, role=None, is_active=None):
    """Return up to `limit` users in sort order, starting after the `after` keyset.

    A search chooses between two plans from what the database tells (_is_common):
    a rare substring is found through the trigram index and its few matches sorted
    (matched_page); a common one walks the sort key's index and stops at the page
    (_walk), instead of fetching and sorting every match to return twenty.
    """
    plan = _walk if q and _is_common(conn, q) else matched_page
    return plan(
        conn,
        sort=sort,
        descending=descending,
        limit=limit,
        after=after,
        q=q,
        role=role,
        is_active=is_active,
    )


def matched_page(conn, *, sort, descending, limit, after=None, q=None, role=None, is_active=None):
    """The page from every matching row: through the trigram index when there is a `q`."""
    clauses, params = [], {"limit": limit}
    if q:
        clauses.append(_search_clause(conn, q, params))
    clauses.extend(_filter_clauses(role, is_active, params))
    if after is not None:
        clauses.append(_after_clause(sort, descending, after, params))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM users {where} ORDER BY {_order(sort, descending)} LIMIT :limit",
        params,
    ).fetchall()
    return [User.from_row(row) for row in rows]


def _order(sort, descending):
    direction = "DESC" if descending else "ASC"
    return f"{SORT_COLUMNS[sort]} {direction}" + ("" if sort == "id" else f", id {direction}")


def _filter_clauses(role, is_active, params):
    clauses = []
    if role is not None:
        clauses.append("role = :role")
        params["role"] = role
    if is_active is not None:
        clauses.append("is_active = :is_active")
        params["is_active"] = is_active
    return clauses


def _is_common(conn, query):
    """Tell whether COMMON_MATCHES users or more match: then walking the sort index pays.

    SQLite counts the FTS5 matches, stopping at COMMON_MATCHES (a bounded probe: the
    trigram table yields rowids in order). PostgreSQL asks its planner, whose
    statistics on lower(name) and lower(email) (kept for the expression indexes)
    estimate how many rows the LIKE matches. A rare substring goes straight to the
    trigram index: fetching and sorting fewer than COMMON_MATCHES rows is cheap.
    """
    params = {"common": COMMON_MATCHES}
    if conn.engine == "sqlite":
        if len(query) < MIN_TRIGRAM_LENGTH:
            return True
        params["q_match"] = '"' + query.replace('"', '""') + '"'
        return (
            conn.execute(
                "SELECT count(*) FROM (SELECT rowid FROM users_search"
                " WHERE users_search MATCH :q_match LIMIT :common) AS probe",
                params,
            ).fetchone()[0]
            >= COMMON_MATCHES
        )
    clause = _like_clause(query, params)
    plan = conn.execute(
        f"EXPLAIN (FORMAT JSON) SELECT id FROM users WHERE {clause}", params
    ).fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"] >= COMMON_MATCHES


def _walk(conn, *, sort, descending, limit, after, q, role, is_active):
    """The page, from the sort key's index in order, stopping at the page.

    One flat query reads the covering index of the sort key (the key and id, with
    name and email on SQLite, migration 0011, and their folded search_text on
    PostgreSQL, 0013: no table row is read for the test) in order and
    stops at the `limit`-th match: with 1 user in 27 matching, a few hundred
    entries when matches are spread, a few ten thousand when they cluster, always
    cheaper than reading every match's row. Only the page's rows are then read.
    """
    params = {"limit": limit}
    order = _order(sort, descending)
    start = [_after_clause(sort, descending, after, params)] if after else []
    filters = _filter_clauses(role, is_active, params)
    clauses = [*start, _walk_match_clause(conn, q, params), *filters]
    ids = [
        row[0]
        for row in conn.execute(
            f"SELECT id FROM users WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT :limit",
            params,
        ).fetchall()
    ]
    if not ids:
        return []
    names = {f"id_{n}": user_id for n, user_id in enumerate(ids)}
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM users WHERE id IN ({', '.join(':' + name for name in names)})",
        names,
    ).fetchall()
    by_id = {row["id"]: row for row in rows}
    return [User.from_row(by_id[user_id]) for user_id in ids if user_id in by_id]


def _walk_match_clause(conn, query, params):
    """The walk's test of one index entry, agreeing with _search_clause's index.

    On SQLite the FTS5 table folds case itself; the walk folds with Python's
    casefold (an application function), after SQLite's own LIKE, which folds ASCII
    letters in C, has let through only the candidates (for an ASCII query; a
    non-ASCII one goes to the function alone). On PostgreSQL the LIKE is the same
    test the trigram indexes serve.
    """
    if conn.engine != "sqlite":
        # search_text (migration 0013) is lower(name), a newline, lower(email), carried
        # by the walk indexes; no trigram index serves it, so the planner cannot trade
        # the walk for a bitmap scan that reads and sorts every match.
        params["q_like"] = _contains_pattern(query)
        return "search_text LIKE lower(:q_like) ESCAPE '\\'"
    if len(query) < MIN_TRIGRAM_LENGTH:
        return _like_clause(query, params)
    params["q_folded"] = query.casefold()
    exact = "search_match(name, email, :q_folded)"
    if not query.isascii():
        return exact
    params["q_ascii"] = _contains_pattern(query)
    return f"(name LIKE :q_ascii ESCAPE '\\' OR email LIKE :q_ascii ESCAPE '\\') AND {exact}"


def sort_value(user, column):
    """Return the stored value of `user` for a sort column, as a cursor keeps it."""
    if column == "created_at":
        return to_db_time(user.created_at)
    return getattr(user, column)
