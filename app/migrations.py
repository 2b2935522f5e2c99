"""Applies the numbered SQL files of `migrations/` once each, in order."""

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.database import PROJECT_ROOT, transaction

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
FILE_PATTERN = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

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
        """Split the file into complete SQL statements (triggers stay whole)."""
        statements, pending = [], ""
        for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                statements.append(pending.strip())
                pending = ""
        if pending.strip() and not _only_comments(pending):
            raise ValueError(f"{self.path.name}: incomplete statement at the end")
        return statements


def _only_comments(text):
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def discover(directory=MIGRATIONS_DIR):
    """Return the migrations found in `directory`, ordered by version."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise ValueError(f"{path.name}: migration files are named NNNN_name.sql")
        found.append(Migration(match.group(1), path.stem, path))
    return found


def applied_versions(conn):
    """Return the versions already recorded in the ledger (none before the first upgrade)."""
    try:
        rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return set()
        raise
    return {row["version"] for row in rows}


def pending(conn, directory=MIGRATIONS_DIR):
    """Return the migrations not applied yet."""
    done = applied_versions(conn)
    return [migration for migration in discover(directory) if migration.version not in done]


def upgrade(conn, directory=MIGRATIONS_DIR):
    """Apply every pending migration, each in its own transaction; return those applied."""
    applied = []
    conn.execute(CREATE_LEDGER)
    for migration in discover(directory):
        with transaction(conn):
            # Read the ledger inside the write lock so concurrent upgrades apply once.
            if migration.version in applied_versions(conn):
                continue
            for statement in migration.statements():
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
