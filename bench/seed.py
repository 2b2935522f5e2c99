"""Fill a migrated database with many users, quickly (bench only: one shared hash)."""

import random
import sqlite3
from datetime import UTC, datetime, timedelta

from app.models import to_db_time
from app.security.email_address import email_key

FIRST = (
    "Anna",
    "Béla",
    "Csilla",
    "Dénes",
    "Emese",
    "Ferenc",
    "Gábor",
    "Hanna",
    "István",
    "Judit",
    "Kata",
    "László",
    "Márta",
    "Nóra",
    "Olivér",
    "Péter",
    "Réka",
    "Sándor",
    "Tamás",
    "Zsófia",
    "Alice",
    "Bob",
    "Carol",
    "Dave",
    "Erin",
    "Frank",
    "Grace",
    "Heidi",
)
LAST = (
    "Kovács",
    "Szabó",
    "Tóth",
    "Nagy",
    "Horváth",
    "Varga",
    "Kiss",
    "Molnár",
    "Németh",
    "Farkas",
    "Balogh",
    "Papp",
    "Takács",
    "Juhász",
    "Lakatos",
    "Mészáros",
    "Oláh",
    "Simon",
    "Smith",
    "Jones",
    "Miller",
    "Davis",
    "Garcia",
    "Wilson",
    "Moore",
    "Taylor",
    "Clark",
)
INSERT = (
    "INSERT INTO users (name, email, email_key, name_key, password_hash, role, is_active,"
    " email_verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'user', 1, 0, ?, ?)"
)


def seed_users(path, count, password_hash, *, chunk=20_000):
    """Insert `count` users with varied names and spread creation times."""
    rng = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    for first_row in range(0, count, chunk):
        rows = []
        for number in range(first_row, min(first_row + chunk, count)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            stamp = to_db_time(start + timedelta(seconds=number * 7 + rng.randint(0, 6)))
            email = f"{first}.{last}.{number}@bench.example".lower()
            key = email_key(email)  # also the name_key: seeded users have no SCIM userName
            rows.append((f"{first} {last} {number}", email, key, key, password_hash, stamp, stamp))
        with conn:
            conn.executemany(INSERT, rows)
    conn.execute("PRAGMA optimize")
    conn.close()
