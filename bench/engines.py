"""Listing at scale on both engines, side by side: `python -m bench.engines`.

Seeds N users in a SQLite file and times the listing cases of bench/large.py on it,
copies the same rows into a PostgreSQL schema of its own with `flask db copy`'s
service, and times the same cases there. Prints p50 and p99 per case and engine,
and the PostgreSQL/SQLite ratio of the medians. The schema is dropped at the end.
"""

import argparse
import os
import secrets
import tempfile
from pathlib import Path

from app.database.postgresql import scratch_schema
from bench import large

DEFAULT_SERVER = "postgresql://127.0.0.1:5432/test"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.engines", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--users", type=int, default=100_000, help="users to seed")
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER),
        help="a PostgreSQL server URL (a schema is made there and dropped)",
    )
    return parser.parse_args(argv)


def measure_postgresql(sqlite_url, database_url, count):
    """Copy the seeded SQLite rows into PostgreSQL, then time the listing cases there."""
    from app import create_app
    from app.database import get_db
    from app.repositories import users as users_repo
    from app.services import cursors, database_copy, user_listing

    app = create_app({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        print(f"copying {count:,} users into PostgreSQL...", flush=True)
        database_copy.copy_from(sqlite_url, batch_size=5000)
        get_db().execute("VACUUM ANALYZE users")  # statistics, and the visibility map
        admin = users_repo.get_by_email(get_db(), large.ADMIN_EMAIL)
        figures = large.time_queries(app, admin, count, user_listing, cursors)
    app.extensions["db_pool"].close()
    return figures


def print_side_by_side(sqlite, postgresql):
    print(
        f"\nListing with {sqlite['users']:,} users, in-process, ms ({large.REPEAT} runs per case):"
    )
    print(f"{'case':44} {'SQLite p50':>10} {'p99':>7} {'PG p50':>8} {'p99':>7} {'PG/SQLite':>9}")
    for lite, pg in zip(sqlite["rows"], postgresql["rows"]):
        ratio = pg["p50"] / lite["p50"] if lite["p50"] else float("inf")
        print(
            f"{lite['case']:44} {lite['p50']:10.2f} {lite['p99']:7.2f}"
            f" {pg['p50']:8.2f} {pg['p99']:7.2f} {ratio:8.2f}x"
        )


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as folder:
        workdir = Path(folder)
        sqlite = large.measure(workdir, args.users)
        with scratch_schema(args.postgresql, f"bench_{secrets.token_hex(4)}") as database_url:
            postgresql = measure_postgresql(large.database_url(workdir), database_url, args.users)
    print_side_by_side(sqlite, postgresql)


if __name__ == "__main__":
    main()
