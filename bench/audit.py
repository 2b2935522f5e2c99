"""The audit trail at scale, on both engines: `python -m bench.audit --events 1000000`.

Seeds N events (a year of them, over 100,000 users) in a SQLite file with sqlite3's
executemany, and the same rows in a PostgreSQL schema of its own with COPY; then times
the filtered pages of `GET /audit-events` in-process, through the service function the
route calls (so the figures are the database and service cost without HTTP). Target:
every filtered page (by type, by subject, by time range) p50 < 5 ms on each engine.
"""

import argparse
import os
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.models import to_db_time

REPEAT = 30
TARGET_MS = 5.0
USERS = 100_000
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=365)
DEFAULT_SERVER = "postgresql://127.0.0.1:5432/test"
# Type and weight: logins dominate a real trail; password changes are rare.
TYPES = (
    ("login.succeeded", 50),
    ("login.failed", 20),
    ("token.reuse_detected", 1),
    ("logout", 15),
    ("password.changed", 2),
    ("email.changed", 1),
    ("user.registered", 5),
    ("password.reset_requested", 3),
    ("session.revoked", 3),
)
COLUMNS = ("type", "occurred_at", "actor_id", "subject_id", "ip", "request_id", "details")


def events(count):
    """`count` event rows in time order, as COLUMNS tuples (deterministic)."""
    rng = random.Random(7)
    names, weights = zip(*TYPES)
    step = SPAN / count
    for number in range(count):
        kind = rng.choices(names, weights)[0]
        subject = rng.randint(1, USERS)
        actor = None if kind in ("login.failed", "token.reuse_detected") else subject
        details = '{"reason": "wrong_password"}' if kind == "login.failed" else "{}"
        yield (
            kind,
            to_db_time(START + step * number),
            actor,
            subject,
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            secrets.token_hex(8),
            details,
        )


def seed_sqlite(path, count, *, chunk=50_000):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    sql = (
        f"INSERT INTO audit_events ({', '.join(COLUMNS)})"
        f" VALUES ({', '.join('?' for _ in COLUMNS)})"
    )
    rows = events(count)
    while batch := [row for _, row in zip(range(chunk), rows)]:
        with conn:
            conn.executemany(sql, batch)
    conn.execute("ANALYZE")
    conn.close()


def seed_postgresql(database_url, count):
    import psycopg

    with psycopg.connect(database_url) as conn:
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY audit_events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in events(count):
                    copy.write_row(row)
        conn.execute("ANALYZE audit_events")


def cases(count):
    """Label -> keyword arguments of audit_trail.list_events (limit 50, the default)."""
    day = START + SPAN / 2
    return {
        "no filter, first page": {},
        "type=password.changed (2% of events)": {"type": "password.changed"},
        "type=login.succeeded (50%), second page": {"type": "login.succeeded", "page": 2},
        f"subject=one user (~{count // USERS} events)": {"subject_id": USERS // 2},
        "actor=one user": {"actor_id": USERS // 3},
        "time range: one hour": {"since": day, "until": day + timedelta(hours=1)},
        "time range: one month, second page": {
            "since": day,
            "until": day + timedelta(days=30),
            "page": 2,
        },
        "type=logout within one week": {
            "type": "logout",
            "since": day,
            "until": day + timedelta(days=7),
        },
    }


def time_cases(app, count):
    """Time every case on the app's database; return rows of case, p50, p99, items."""
    from app.services import audit_trail
    from app.services.users import SYSTEM

    rows = []
    with app.app_context():
        for label, args in cases(count).items():
            args = {"limit": 50, **args}
            if args.pop("page", 1) == 2:
                _, args["cursor"] = audit_trail.list_events(SYSTEM, **args)
            samples = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                items, _ = audit_trail.list_events(SYSTEM, **args)
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            rows.append(
                {
                    "case": label,
                    "p50": statistics.median(samples),
                    "p99": samples[min(REPEAT - 1, int(REPEAT * 0.99))],
                    "items": len(items),
                }
            )
    return rows


def _app(database_url):
    from app import create_app, migrations
    from app.database import get_db

    app = create_app({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        migrations.upgrade(get_db())
    return app


def measure(workdir, count, postgresql_url=DEFAULT_SERVER):
    """Seed `count` events on each engine and time the cases; the figures per engine."""
    from app.database.postgresql import scratch_schema

    sqlite_url = f"sqlite:///{workdir / 'audit.db'}"
    app = _app(sqlite_url)
    print(f"seeding {count:,} audit events in SQLite...", flush=True)
    seed_sqlite(workdir / "audit.db", count)
    figures = {"events": count, "sqlite": time_cases(app, count)}
    app.extensions["db_pool"].close()
    with scratch_schema(postgresql_url, f"bench_audit_{secrets.token_hex(4)}") as url:
        app = _app(url)
        print(f"seeding {count:,} audit events in PostgreSQL...", flush=True)
        seed_postgresql(url, count)
        figures["postgresql"] = time_cases(app, count)
        app.extensions["db_pool"].close()
    return figures


def table(figures):
    """The side-by-side table, as Markdown lines."""
    yield (
        f"Audit trail with {figures['events']:,} events (in-process, limit 50,"
        f" {REPEAT} runs per case):"
    )
    yield ""
    yield "| case | SQLite p50 ms | p99 | PostgreSQL p50 ms | p99 | rows |"
    yield "| --- | ---: | ---: | ---: | ---: | ---: |"
    for lite, pg in zip(figures["sqlite"], figures["postgresql"]):
        yield (
            f"| {lite['case']} | {lite['p50']:.2f} | {lite['p99']:.2f} | {pg['p50']:.2f}"
            f" | {pg['p99']:.2f} | {lite['items']} |"
        )


def targets(figures):
    """One line per engine: the slowest filtered page's p50 against the target."""
    for engine, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        worst = max(row["p50"] for row in figures[engine] if not row["case"].startswith("no "))
        yield (
            f"- audit trail at {figures['events']:,} events, slowest filtered page on {name}:"
            f" p50 {worst:.2f} ms (target < {TARGET_MS:g}):"
            f" {'met' if worst < TARGET_MS else 'NOT met'}"
        )


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.audit", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--events", type=int, default=100_000, help="events to seed")
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER),
        help="a PostgreSQL server URL (a schema is made there and dropped)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as folder:
        figures = measure(Path(folder), args.events, args.postgresql)
    print()
    for line in (*table(figures), "", *targets(figures)):
        print(line)


if __name__ == "__main__":
    main()
