"""SCIM at scale on both engines: `python -m bench.scim --users 1000000`.

Seeds N users in a SQLite file, times the SCIM searches an identity provider makes
(Okta's `userName eq` lookup before every create; a page deep into the offset paging RFC
7644 defines), then copies the rows into a PostgreSQL schema of its own and times the
same there. Timed in-process through the service function the route calls. Prints p50
and p99 per case and engine, each against its target, met or not met. Also run by
`python -m bench --scim N`.
"""

import argparse
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench import large, seed

REPEAT = 30
DEFAULT_SERVER = "postgresql://127.0.0.1:5432/test"
DEEP_INDEX = 900_000
TARGETS_MS = {"lookup": 2.0, "deep": 100.0}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.scim", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--users", type=int, default=1_000_000, help="users to seed")
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER),
        help="a PostgreSQL server URL (a schema is made there and dropped)",
    )
    return parser.parse_args(argv)


def cases(count):
    """(key, label, filter, startIndex, count) of each timed search."""
    deep = min(DEEP_INDEX, max(1, count - 99))
    middle = count // 2
    return [
        ("lookup", 'filter=userName eq "<a user\'s email>" (Okta lookup)', middle, 1, 100),
        ("deep", f"startIndex={deep:,}&count=100 (offset page)", None, deep, 100),
    ]


def time_cases(count):
    """Time each case on the current app's database; return rows with p50 and p99."""
    from app.database import get_db
    from app.services import scim_users

    rows = []
    for key, label, middle, start_index, page_size in cases(count):
        filter_text = None
        if middle is not None:
            email = (
                get_db()
                .execute("SELECT email FROM users WHERE id = :id", {"id": middle})
                .fetchone()["email"]
            )
            filter_text = f'userName eq "{email.upper()}"'
        samples = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            total, users = scim_users.search(filter_text, start_index=start_index, count=page_size)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        rows.append(
            {
                "key": key,
                "case": label,
                "p50": statistics.median(samples),
                "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
                "items": len(users),
                "total": total,
            }
        )
    return rows


def measure_sqlite(workdir, count):
    from app import create_app, migrations
    from app.database import get_db
    from app.repositories import users as users_repo
    from app.services import users as users_service

    app = create_app({"DATABASE_URL": large.database_url(workdir), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        migrations.upgrade(get_db())
        admin, _ = users_service.create_or_promote_admin(
            {
                "name": "Large Admin",
                "email": large.ADMIN_EMAIL,
                "password": "a long enough bench passphrase",
            }
        )
        password_hash = users_repo.get_by_id(get_db(), admin.id).password_hash
    print(f"seeding {count:,} users...", flush=True)
    seed.seed_users(workdir / "large.db", count, password_hash)
    with app.app_context():
        rows = time_cases(count)
    app.extensions["db_pool"].close()
    return rows


def measure_postgresql(sqlite_url, database_url, count):
    from app import create_app
    from app.database import get_db
    from app.services import database_copy

    app = create_app(
        {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "DB_STATEMENT_TIMEOUT": 0}
    )
    with app.app_context():
        print(f"copying {count:,} users into PostgreSQL...", flush=True)
        database_copy.copy_from(sqlite_url, batch_size=5000)
        get_db().execute("VACUUM ANALYZE users")
        rows = time_cases(count)
    app.extensions["db_pool"].close()
    return rows


def print_figures(count, by_engine):
    print(f"\nSCIM with {count:,} users, in-process, ms ({REPEAT} runs per case):")
    print(f"{'engine':11} {'case':52} {'p50':>8} {'p99':>8} {'target':>8}  verdict")
    for engine, row, target, verdict in _verdicts(by_engine):
        print(
            f"{engine:11} {row['case']:52} {row['p50']:8.2f} {row['p99']:8.2f}"
            f" {'< ' + format(target, 'g'):>8}  {verdict}"
        )


def targets(by_engine):
    """One Markdown line per case and engine: its p50 against the target."""
    for engine, row, target, verdict in _verdicts(by_engine):
        yield (
            f"- SCIM on {engine}, {row['case']}: p50 {row['p50']:.2f} ms"
            f" (target < {target:g}): {verdict}"
        )


def table(count, by_engine):
    """The figures as Markdown lines."""
    yield f"SCIM with {count:,} users (in-process, {REPEAT} runs per case):"
    yield ""
    yield "| engine | case | p50 ms | p99 ms | target |"
    yield "| --- | --- | ---: | ---: | --- |"
    for engine, row, target, verdict in _verdicts(by_engine):
        yield (
            f"| {engine} | {row['case']} | {row['p50']:.2f} | {row['p99']:.2f}"
            f" | < {target:g}: {verdict} |"
        )


def _verdicts(by_engine):
    for engine, rows in by_engine.items():
        for row in rows:
            target = TARGETS_MS[row["key"]]
            yield engine, row, target, "met" if row["p50"] < target else "NOT met"


def run(count, postgresql_server):
    """Measure both engines and print the figures."""
    from app.database.postgresql import scratch_schema

    with tempfile.TemporaryDirectory(prefix="bench-scim-") as folder:
        workdir = Path(folder)
        by_engine = {"SQLite": measure_sqlite(workdir, count)}
        with scratch_schema(postgresql_server, f"bench_{secrets.token_hex(4)}") as url:
            by_engine["PostgreSQL"] = measure_postgresql(large.database_url(workdir), url, count)
    print_figures(count, by_engine)
    return by_engine


def main(argv=None):
    args = parse_args(argv)
    run(args.users, args.postgresql)


if __name__ == "__main__":
    main()
