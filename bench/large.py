"""Listing at scale: first page, a page 900,000 rows deep, search and every sort.

Timed in-process through the same service function the route calls, so the
figures are the database and service cost without HTTP around them.
"""

import statistics
import time

from bench import seed

REPEAT = 100  # enough for a p99 that is not just the slowest run
SORTS = ("id", "created_at", "name", "email")
ADMIN_EMAIL = "admin@large.example"


def database_url(workdir):
    """The SQLite file the large-data mode seeds."""
    return f"sqlite:///{workdir / 'large.db'}"


def measure(workdir, count, reuse=False):
    """Seed `count` users in a fresh database and time the listing queries on it.

    With `reuse`, a database seeded earlier in `workdir` is migrated and timed again
    instead (seeding 1,000,000 users takes minutes on a busy machine).
    """
    from app import create_app, migrations
    from app.database import get_db
    from app.repositories import users as users_repo
    from app.services import cursors, user_listing
    from app.services import users as users_service

    database = workdir / "large.db"
    seeded = reuse and database.exists()
    app = create_app({"DATABASE_URL": database_url(workdir), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        migrations.upgrade(get_db())
        admin, _ = users_service.create_or_promote_admin(
            {
                "name": "Large Admin",
                "email": ADMIN_EMAIL,
                "password": "a long enough bench passphrase",
            }
        )
        password_hash = users_repo.get_by_id(get_db(), admin.id).password_hash
    if seeded:
        print(f"reusing the {count:,} users seeded in {database}", flush=True)
    else:
        print(f"seeding {count:,} users for the large-data mode...", flush=True)
        seed.seed_users(database, count, password_hash)
    with app.app_context():
        return time_queries(app, admin, count, user_listing, cursors)


def time_queries(app, admin, count, user_listing, cursors):
    """Time every listing case on the app's database, which holds `count` seeded users."""
    from app.database import get_db

    deep_row = min(900_000, count - 21)
    after = (
        get_db()
        .execute("SELECT id FROM users ORDER BY id LIMIT 1 OFFSET :n", {"n": deep_row - 1})
        .fetchone()["id"]
    )
    deep_cursor = cursors.encode(app.config["SECRET_KEY"], sort="id", value=after, last_id=after)
    # A substring of one user's name ("Kovács 500123" -> "vács 500123"): a rare match.
    middle_name = (
        get_db()
        .execute("SELECT name FROM users WHERE id = :id", {"id": count // 2})
        .fetchone()["name"]
    )
    rare = middle_name.split(" ", 1)[1][2:].lower()
    cases = {
        "first page (limit 20, sort id)": {"limit": 20},
        f"page {deep_row:,} rows deep (cursor)": {"limit": 20, "cursor": deep_cursor},
        f"q search '{rare}' (one match)": {"limit": 20, "q": rare},
        f"q search '{rare}' (one match) sorted by -name": {"limit": 20, "q": rare, "sort": "-name"},
        "q search 'zsófia' (1 in 28 users)": {"limit": 20, "q": "zsófia"},
    }
    # A common substring (1 in 27 users) in every order: the walk of the sort index.
    for sort in SORTS:
        for prefix in ("", "-"):
            cases[f"q search 'smith' sorted by {prefix}{sort}"] = {
                "limit": 20,
                "q": "smith",
                "sort": f"{prefix}{sort}",
            }
    cases["q search 'smith' sorted by name, second page"] = {
        "limit": 20,
        "q": "smith",
        "sort": "name",
        "second_page": True,
    }
    for sort in SORTS:
        for prefix in ("", "-"):
            cases[f"sort {prefix}{sort}"] = {"limit": 20, "sort": f"{prefix}{sort}"}
            cases[f"sort {prefix}{sort}, second page"] = {
                "limit": 20,
                "sort": f"{prefix}{sort}",
                "second_page": True,
            }
    return {
        "users": count,
        "rows": [_time(label, args, admin, user_listing) for label, args in cases.items()],
    }


def _time(label, args, admin, user_listing):
    args = dict(args)
    second_page = args.pop("second_page", False)
    if second_page:
        _, args["cursor"] = user_listing.list_users(admin, **args)
    user_listing.list_users(admin, **args)  # warm the caches: the steady state is timed
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        items, _ = user_listing.list_users(admin, **args)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "case": label,
        "p50": statistics.median(samples),
        "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "items": len(items),
    }
