"""SQL for listing users: filters, substring search and keyset pages."""

from app.models import User, to_db_time
from app.repositories.users import COLUMNS

# Fixed SQL fragments chosen by name; no request value is ever put into SQL text.
SORT_COLUMNS = {"id": "id", "created_at": "created_at", "name": "name", "email": "email"}
MIN_TRIGRAM_LENGTH = 3


def _search_clause(conn, query, params):
    """Match a case-insensitive substring of name or email.

    On SQLite, three characters or more go through the FTS5 trigram table; on
    PostgreSQL, the pg_trgm indexes serve the LIKE itself. Shorter queries are
    rare enough to scan for.
    """
    if conn.engine == "sqlite" and len(query) >= MIN_TRIGRAM_LENGTH:
        params["q_match"] = '"' + query.replace('"', '""') + '"'
        return "id IN (SELECT rowid FROM users_search WHERE users_search MATCH :q_match)"
    # The database folds both sides, so they are folded alike whatever its locale.
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params["q_like"] = f"%{escaped}%"
    return ("(lower(name) LIKE lower(:q_like) ESCAPE '\\'"
            " OR lower(email) LIKE lower(:q_like) ESCAPE '\\')")


def _after_clause(sort, descending, after, params):
    """Keyset condition: rows strictly past the last row of the previous page."""
    operator = "<" if descending else ">"
    params["after_id"] = after["id"]
    if sort == "id":
        return f"id {operator} :after_id"
    params["after_value"] = after["value"]
    return f"({SORT_COLUMNS[sort]}, id) {operator} (:after_value, :after_id)"


def list_page(conn, *, sort, descending, limit, after=None, q=None, role=None, is_active=None):
    """Return up to `limit` users in sort order, starting after the `after` keyset."""
    clauses, params = [], {"limit": limit}
    if q:
        clauses.append(_search_clause(conn, q, params))
    if role is not None:
        clauses.append("role = :role")
        params["role"] = role
    if is_active is not None:
        clauses.append("is_active = :is_active")
        params["is_active"] = is_active
    if after is not None:
        clauses.append(_after_clause(sort, descending, after, params))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    direction = "DESC" if descending else "ASC"
    order = f"{SORT_COLUMNS[sort]} {direction}" + ("" if sort == "id" else f", id {direction}")
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM users {where} ORDER BY {order} LIMIT :limit", params
    ).fetchall()
    return [User.from_row(row) for row in rows]


def sort_value(user, column):
    """Return the stored value of `user` for a sort column, as a cursor keeps it."""
    if column == "created_at":
        return to_db_time(user.created_at)
    return getattr(user, column)
