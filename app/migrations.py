"""Applies the numbered SQL files of `migrations/` once each, in order.

A file at the top of `migrations/` serves every engine; one in `migrations/<engine>/`
(`sqlite`, `postgresql`) serves that engine only, where their SQL must differ.
"""

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.database import DATABASE_ERRORS, PROJECT_ROOT, is_missing_table, transaction

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
    return [migration for migration in discover(directory, conn.engine)
            if migration.version not in done]


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
