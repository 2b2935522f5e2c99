"""SQL for copying every row of the data tables from one database into another.

Table and column names come only from TABLES below; every value is a parameter.
"""

from dataclasses import dataclass

from app.repositories.users import COLUMN_NAMES as USER_COLUMNS

# A transaction that reads one unchanging state of the database and locks out no writer.
BEGIN_SNAPSHOT = {
    "sqlite": "BEGIN DEFERRED",
    "postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
}
# Keeps one INSERT under SQLite's oldest limit of bound parameters.
MAX_PARAMETERS = 999
# The tables whose ids the database generates: a copy keeps their high-water marks.
GENERATED_IDS = ("users", "api_keys", "audit_events")
# The largest id ever handed out in {table}: deleted rows' ids are never given again.
LAST_ID = {
    "sqlite": "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0),"
    " coalesce((SELECT max(id) FROM {table}), 0))",
    "postgresql": "SELECT greatest(coalesce(pg_sequence_last_value("
    "pg_get_serial_sequence('{table}', 'id')::regclass), 0),"
    " coalesce((SELECT max(id) FROM {table}), 0))",
}
# Make the id generator of {table} go on after :last_id.
CONTINUE_IDS = {
    "sqlite": (
        "UPDATE sqlite_sequence SET seq = :last_id WHERE name = '{table}' AND seq < :last_id",
        "INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', :last_id"
        " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')",
    ),
    "postgresql": ("SELECT setval(pg_get_serial_sequence('{table}', 'id'), :last_id)",),
}


@dataclass(frozen=True)
class Table:
    """A table to copy: its columns, the key it is paged by, its boolean columns."""

    name: str
    columns: tuple
    key: tuple
    booleans: tuple = ()

    @property
    def repeats(self):
        """Whether equal rows may occur (the key is every column): they are counted."""
        return self.key == self.columns


# In the order of their foreign keys.
TABLES = (
    Table(
        "users",
        USER_COLUMNS,
        ("id",),
        booleans=("is_active", "email_verified", "email_primary", "name_shown"),
    ),
    Table(
        "sessions",
        (
            "id",
            "user_id",
            "user_version",
            "created_at",
            "revoked_at",
            "ip",
            "user_agent",
            "last_used_at",
            "amr",
            "authenticated_at",
        ),
        ("id",),
    ),
    Table(
        "refresh_tokens", ("token_hash", "session_id", "expires_at", "spent_at"), ("token_hash",)
    ),
    Table("login_failures", ("account", "failed_at"), ("account", "failed_at")),
    Table("login_blocks", ("account", "level", "blocked_until"), ("account",)),
    Table(
        "totp_authenticators",
        ("user_id", "secret_encrypted", "created_at", "confirmed_at"),
        ("user_id",),
    ),
    Table("totp_used_steps", ("user_id", "step"), ("user_id", "step")),
    Table(
        "recovery_codes",
        ("user_id", "code_hash", "created_at", "used_at"),
        ("user_id", "code_hash"),
    ),
    Table(
        "passkeys",
        (
            "credential_id",
            "user_id",
            "public_key",
            "sign_count",
            "name",
            "transports",
            "created_at",
            "last_used_at",
        ),
        ("credential_id",),
    ),
    Table(
        "mfa_tokens",
        ("token_hash", "user_id", "user_version", "expires_at", "failures", "spent_at"),
        ("token_hash",),
    ),
    Table(
        "webauthn_challenges",
        ("challenge_hash", "purpose", "user_id", "session_id", "expires_at"),
        ("challenge_hash",),
    ),
    Table(
        "api_keys",
        (
            "id",
            "user_id",
            "name",
            "key_hash",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ),
        ("id",),
    ),
    # No foreign key: events outlive the users they name.
    Table(
        "audit_events",
        ("id", "type", "occurred_at", "actor_id", "subject_id", "ip", "request_id", "details"),
        ("id",),
    ),
)


def begin_snapshot(conn):
    """Start reading the database as it is now; the caller rolls back when done."""
    conn.execute(BEGIN_SNAPSHOT[conn.engine])


def is_empty(conn, table):
    """Tell whether the table has no rows."""
    return conn.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone() is None


def count_rows(conn, table):
    """Return how many rows the table has."""
    return conn.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]


def read_batch(conn, table, *, after, limit):
    """Return up to `limit` rows (dicts) whose key follows the key of row `after`."""
    params = {"limit": limit}
    if after is not None:
        params.update({f"after_{column}": after[column] for column in table.key})
    rows = conn.execute(_select_sql(table, paged=after is not None), params).fetchall()
    return [_as_written(table, row) for row in rows for _ in range(row["copies"])]


def _select_sql(table, *, paged):
    key = ", ".join(table.key)
    after = ", ".join(f":after_{column}" for column in table.key)
    where = f" WHERE ({key}) > ({after})" if paged else ""
    copies, group = ("count(*)", f" GROUP BY {key}") if table.repeats else ("1", "")
    return (
        f"SELECT {', '.join(table.columns)}, {copies} AS copies FROM {table.name}"
        f"{where}{group} ORDER BY {key} LIMIT :limit"
    )


def _as_written(table, row):
    """A row as a dict the other engine takes (SQLite reads booleans back as 0 and 1)."""
    values = {column: row[column] for column in table.columns}
    values.update({column: bool(values[column]) for column in table.booleans})
    return values


def insert_rows(conn, table, rows):
    """Insert rows (dicts of the table's columns), several to a statement."""
    per_statement = max(1, MAX_PARAMETERS // len(table.columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        params = {
            f"{column}_{number}": row[column]
            for number, row in enumerate(chunk)
            for column in table.columns
        }
        conn.execute(_insert_sql(table, len(chunk)), params)


def _insert_sql(table, count):
    values = ", ".join(
        "(" + ", ".join(f":{column}_{number}" for column in table.columns) + ")"
        for number in range(count)
    )
    return f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES {values}"


def last_id(conn, table):
    """Return the largest id `table` (one of GENERATED_IDS) has handed out (0 for none)."""
    return conn.execute(LAST_ID[conn.engine].format(table=_generated(table))).fetchone()[0]


def continue_ids(conn, table, *, after):
    """Make the next generated id of `table` (one of GENERATED_IDS) follow `after`."""
    for statement in CONTINUE_IDS[conn.engine]:
        conn.execute(statement.format(table=_generated(table)), {"last_id": after})


def _generated(table):
    if table not in GENERATED_IDS:
        raise ValueError(f"{table!r} has no generated ids")
    return table
