"""SQL for SCIM's view of the users: filters turned into parameterized SQL, offset pages.

A filter arrives as a tree of the dataclasses below, checked by app.services.scim_filters.
Attribute names map to fixed SQL fragments through ATTRIBUTES (an allow-list); every value
is a bound parameter; no text of the request is ever put into SQL.
"""

import itertools
from dataclasses import dataclass
from typing import Any

from app.models import User
from app.repositories.users import COLUMNS
from app.security.email_address import email_key


@dataclass(frozen=True, slots=True)
class Comparison:
    """`attribute op value`; `value` is None for `pr`, a (low, high) pair for times."""

    attribute: str
    op: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class Negation:
    term: Any


@dataclass(frozen=True, slots=True)
class Junction:
    """`and` or `or` of two or more terms."""

    op: str
    terms: tuple


@dataclass(frozen=True, slots=True)
class Column:
    """How an attribute is stored: its SQL, its kind, how a value is folded to compare."""

    sql: str
    kind: str  # "text", "exact", "boolean" or "time"
    fold: Any = None
    nullable: bool = False


# The folding of each value matches its column: name_key and email_key hold the NFKC
# case-folded forms of app.security.email_address; lower() serves the others.
ATTRIBUTES = {
    "userName": Column("name_key", "text", email_key),
    "emails.value": Column("email_key", "text", email_key),
    "emails.type": Column("lower(email_type)", "text", str.lower),
    "emails.primary": Column("email_primary", "boolean"),
    "displayName": Column("lower(name)", "text", str.lower),
    "externalId": Column("external_id", "exact", nullable=True),
    "active": Column("is_active", "boolean"),
    "meta.created": Column("created_at", "time"),
    "meta.lastModified": Column("updated_at", "time"),
}
ORDERING = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# A time value stands for the span of its precision: [low, high).
TIME_SQL = {
    "eq": "({c} >= :{p}_lo AND {c} < :{p}_hi)",
    "gt": "{c} >= :{p}_hi",
    "ge": "{c} >= :{p}_lo",
    "lt": "{c} < :{p}_lo",
    "le": "{c} < :{p}_hi",
}
# Users are counted per block of this many ids (migrations/*/0012_user_id_blocks.sql).
ID_BLOCK = 1024
CONTAINS = {"sqlite": "instr({c}, :{p}) > 0", "postgresql": "strpos({c}, :{p}) > 0"}


class _Compiler:
    def __init__(self, engine):
        self.engine = engine
        self.params = {}
        self._names = (f"f{number}" for number in itertools.count())

    def sql(self, node):
        if isinstance(node, Junction):
            joiner = " AND " if node.op == "and" else " OR "
            return "(" + joiner.join(self.sql(term) for term in node.terms) + ")"
        if isinstance(node, Negation):
            return f"(NOT {self.sql(node.term)})"
        return self._comparison(node)

    def _comparison(self, node):
        column = ATTRIBUTES[node.attribute]
        if node.op == "pr":
            return f"({column.sql} IS NOT NULL)"
        if node.op == "ne":
            return f"(NOT {self._comparison(Comparison(node.attribute, 'eq', node.value))})"
        name = next(self._names)
        if column.kind == "time":
            self.params[f"{name}_lo"], self.params[f"{name}_hi"] = node.value
            condition = TIME_SQL[node.op].format(c=column.sql, p=name)
        else:
            value = column.fold(node.value) if column.fold else node.value
            condition = self._value_condition(column, node.op, name, value)
        # Every term is TRUE or FALSE, never NULL, so that NOT means "does not match".
        return f"({column.sql} IS NOT NULL AND {condition})" if column.nullable else condition

    def _value_condition(self, column, op, name, value):
        c = column.sql
        if op in ("co", "sw", "ew") and column.kind == "text":
            self.params[name] = _like_pattern(op, value)
            return f"{c} LIKE :{name} ESCAPE '\\'"
        self.params[name] = value
        if op == "eq":
            return f"{c} = :{name}"
        if op in ORDERING:
            return f"{c} {ORDERING[op]} :{name}"
        # Exact-case substring tests: LIKE ignores ASCII case on SQLite.
        if op == "sw":
            return f"substr({c}, 1, length(:{name})) = :{name}"
        if op == "ew":
            return (
                f"(length({c}) >= length(:{name})"
                f" AND substr({c}, length({c}) - length(:{name}) + 1) = :{name})"
            )
        return CONTAINS[self.engine].format(c=c, p=name)


def _like_pattern(op, value):
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"co": f"%{escaped}%", "sw": f"{escaped}%", "ew": f"%{escaped}"}[op]


def where_clause(engine, condition):
    """Return (` WHERE ...` or nothing, parameters) for a filter tree (None: every user)."""
    if condition is None:
        return "", {}
    compiler = _Compiler(engine)
    return f" WHERE {compiler.sql(condition)}", compiler.params


def count(conn, condition):
    """Return how many users match the filter (every user: the id blocks' sum)."""
    if condition is None:
        sql, params = "SELECT coalesce(sum(user_count), 0) FROM user_id_blocks", {}
    else:
        where, params = where_clause(conn.engine, condition)
        sql = f"SELECT count(*) FROM users{where}"
    return int(conn.execute(sql, params).fetchone()[0])


def page(conn, condition, *, offset, limit):
    """Return up to `limit` matching users in id order, skipping the first `offset`.

    The offset is walked over ids alone (the primary key index, or SQLite's narrow
    users_id index), and only the rows of the page are read whole. Without a filter
    the walk starts at the id block the page starts in (_block_start).
    """
    where, params = where_clause(conn.engine, condition)
    if condition is None:
        start = _block_start(conn, offset)
        if start is None:
            return []
        first_id, offset = start
        where, params = " WHERE id >= :first_id", {"first_id": first_id}
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM users WHERE id IN (SELECT id FROM users{where}"
        " ORDER BY id LIMIT :limit OFFSET :offset) ORDER BY id",
        {**params, "limit": limit, "offset": offset},
    ).fetchall()
    return [User.from_row(row) for row in rows]


def _block_start(conn, offset):
    """(first id of the block holding the user at `offset`, the offset within it).

    Migration 0012 keeps user_id_blocks: users counted per ID_BLOCK ids. Adding the
    counts up reads a thousand small rows per million users, where walking the offset
    would read nine hundred thousand ids for a page at startIndex=900000. None when
    the offset is past the last user.
    """
    row = conn.execute(
        "SELECT block, before FROM (SELECT block, user_count,"
        " sum(user_count) OVER (ORDER BY block) - user_count AS before"
        " FROM user_id_blocks) AS running"
        " WHERE before + user_count > :offset ORDER BY block LIMIT 1",
        {"offset": offset},
    ).fetchone()
    if row is None:
        return None
    return int(row[0]) * ID_BLOCK, offset - int(row[1])
