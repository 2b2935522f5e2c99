"""Applies the numbered SQL files of `migrations/` once each, in order.

A file at the top of `migrations/` serves every engine; one in `migrations/<engine>/`
(`sqlite`, `postgresql`) serves that engine only, where their SQL must differ.
A line `-- python: NAME` runs the function of that name in STEPS at that point, in the
same transaction: for what SQL cannot compute (the NFKC case-folded email keys).
"""

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.database import DATABASE_ERRORS, PROJECT_ROOT, is_missing_table, transaction
from app.security.email_address import email_key

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
FILE_PATTERN = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
PYTHON_STEP = re.compile(r"^--\s*python:\s*([a-z_]+)\s*$")


class MigrationRefused(RuntimeError):
    """A migration found data it cannot carry over; nothing of it was applied."""


@dataclass(frozen=True)
class PythonStep:
    """A `-- python: NAME` line of a migration file."""

    name: str

    def run(self, conn):
        STEPS[self.name](conn)


def fill_email_keys(conn):
    """Store each user's email key; refuse, naming the ids, when two users share one."""
    rows = conn.execute("SELECT id, email FROM users ORDER BY id").fetchall()
    owners = {}
    for row in rows:
        owners.setdefault(email_key(row["email"]), []).append(row["id"])
    shared = [ids for ids in owners.values() if len(ids) > 1]
    if shared:
        groups = "; ".join(", ".join(str(i) for i in ids) for ids in shared)
        raise MigrationRefused(
            "users with emails that compare equal (NFKC case-folded) must be merged, "
            f"deleted or given another email first; user ids sharing one: {groups}"
        )
    for key, (user_id,) in owners.items():
        conn.execute(
            "UPDATE users SET email_key = :key WHERE id = :id", {"key": key, "id": user_id}
        )


STEPS = {"fill_email_keys": fill_email_keys}

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    def statements(self):
        """Split the file into complete SQL statements (triggers stay whole) and PythonSteps."""
        statements, pending = [], ""
        for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
            step = PYTHON_STEP.match(line.strip())
            if step and _only_comments(pending):
                if step.group(1) not in STEPS:
                    raise ValueError(f"{self.path.name}: no python step {step.group(1)!r}")
                statements.append(PythonStep(step.group(1)))
                pending = ""
                continue
            pending += line
            if sqlite3.complete_statement(pending):
                statements.append(pending.strip())
                pending = ""
        if pending.strip() and not _only_comments(pending):
            raise ValueError(f"{self.path.name}: incomplete statement at the end")
        return statements


def _only_comments(text):
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def discover(directory=MIGRATIONS_DIR, engine="sqlite"):
    """Return the migrations `engine` runs from `directory`, ordered by version."""
    found = {}
    for path in [*directory.glob("*.sql"), *(directory / engine).glob("*.sql")]:
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise ValueError(f"{path.name}: migration files are named NNNN_name.sql")
        if match.group(1) in found:
            raise ValueError(f"{path.name}: version {match.group(1)} is there twice")
        found[match.group(1)] = Migration(match.group(1), path.stem, path)
    return [found[version] for version in sorted(found)]


def applied_versions(conn):
    """Return the versions already recorded in the ledger (none before the first upgrade)."""
    try:
        rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
    except DATABASE_ERRORS as error:
        if is_missing_table(error):
            return set()
        raise
    return {row["version"] for row in rows}


def pending(conn, directory=MIGRATIONS_DIR):
    """Return the migrations not applied yet."""
    done = applied_versions(conn)
    return [
        migration for migration in discover(directory, conn.engine) if migration.version not in done
    ]


def upgrade(conn, directory=MIGRATIONS_DIR):
    """Apply every pending migration, each in its own transaction; return those applied."""
    applied = []
    with transaction(conn):  # under the write lock: two instances may upgrade at once
        conn.execute(CREATE_LEDGER)
    for migration in discover(directory, conn.engine):
        with transaction(conn):
            # Read the ledger inside the write lock so concurrent upgrades apply once.
            if migration.version in applied_versions(conn):
                continue
            for statement in migration.statements():
                if isinstance(statement, PythonStep):
                    statement.run(conn)
                else:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (:version, :name, :applied_at)",
                {
                    "version": migration.version,
                    "name": migration.name,
                    "applied_at": datetime.now(UTC).isoformat(),
                },
            )
        applied.append(migration)
    return applied
