"""Ways to break a database file under a running server, and to mend it again.

Lock it from another process, make it unwritable, delete it, fill it with garbage;
back it up, restore it, checkpoint it.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

GARBAGE = b"this is not an SQLite database, just bytes " * 200

HOLD_LOCK = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
conn.rollback()
"""


@contextlib.contextmanager
def exclusive_lock(path, at_most=60):
    """Another process holds BEGIN EXCLUSIVE on the file until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(at_most)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        yield
    finally:
        holder.stdin.close()  # end of input wakes the holder, which rolls back
        holder.wait(timeout=10)
        holder.stdout.close()


@contextlib.contextmanager
def immutable(*paths):
    """Make files unwritable even by root and through descriptors already open."""
    paths = [str(path) for path in paths]
    assert all(Path(path).exists() for path in paths), paths
    chattr = shutil.which("chattr")
    made = chattr and subprocess.run([chattr, "+i", *paths], capture_output=True, text=True)
    if not made or made.returncode != 0:
        if chattr:
            subprocess.run([chattr, "-i", *paths], capture_output=True)
        pytest.skip(
            "cannot make the open database read-only: chmod neither stops root nor "
            "descriptors already open, and `chattr +i` (CAP_LINUX_IMMUTABLE, ext4 "
            f"and the like) failed: {made.stderr.strip() if made else 'no chattr'}"
        )
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *paths], check=True)


def sidecars(db):
    return [Path(f"{db}-wal"), Path(f"{db}-shm")]


def back_up(db, target):
    """Copy the database with SQLite's online backup, as an operator's backup does."""
    with (
        contextlib.closing(sqlite3.connect(db)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def delete(db):
    for path in [db, *sidecars(db)]:
        path.unlink(missing_ok=True)


def restore(backup, db):
    """Put a backup in place: stale -wal/-shm removed, the copy renamed over the path."""
    for path in sidecars(db):
        path.unlink(missing_ok=True)
    staged = db.with_name("restoring.db")
    shutil.copyfile(backup, staged)
    os.replace(staged, db)


def checkpoint(db, *also):
    """Move everything into the database file and empty the WAL (`also`: more SQL after)."""
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        for statement in also:
            conn.execute(statement)


def overwrite(db, data):
    """Replace the file's content in place (same inode), as `cp other users.db` does."""
    with open(db, "r+b") as file:
        file.write(data)
        file.truncate()
        os.fsync(file.fileno())


def in_file(db, email):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT 1 FROM users WHERE email = ?", (email,)).fetchone() is not None
