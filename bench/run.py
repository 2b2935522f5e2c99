"""Benchmark the service against a floor app, side by side: `python -m bench`.

Seeds a database, starts the app and bench/floor.py under identical gunicorn
settings, and drives both with wrk in alternation (floor, endpoint, floor, ...),
so every ratio compares two figures measured a moment apart on the same cores.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench import hashrate, mfa_login, report, seed, wrk
from bench.servers import CONFIGS, ROOT, Server

PASSWORD = "a long enough bench passphrase"
API_KEY_LABEL = "GET /users/me (API key)"
MFA_LABEL = "POST /login + /login/mfa"
SECRET = "bench-secret-key-of-at-least-32-bytes-long"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="users to seed")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds per endpoint")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument(
        "--large",
        type=int,
        default=0,
        metavar="N",
        help="also time listing queries on N users (e.g. 1000000)",
    )
    parser.add_argument(
        "--scim",
        type=int,
        default=0,
        metavar="N",
        help="also time the SCIM searches on N users, on SQLite and on the"
        " PostgreSQL server at TEST_DATABASE_URL (bench/scim.py)",
    )
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("TEST_DATABASE_URL"),
        metavar="URL",
        help="with --large, time the listing on PostgreSQL too "
        "(a scratch schema on this server; default: $TEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--large-dir",
        type=Path,
        metavar="DIR",
        help="keep the --large SQLite file in DIR and reuse it when there",
    )
    parser.add_argument(
        "--soak",
        type=float,
        default=0,
        metavar="SECONDS",
        help="also soak gunicorn -w 2 at c=16 with mixed traffic (make bench: 600)",
    )
    parser.add_argument(
        "--audit-events",
        type=int,
        default=0,
        metavar="N",
        help="also time audit trail pages on N events, on SQLite and on the"
        " PostgreSQL server of --postgresql (e.g. 1000000)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke mode: 2,000 users, 1 s runs, 1 round, sync only"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.duration, args.rounds, args.configs = 2000, 1, 1, ["sync"]
        args.output = ROOT / "bench" / "results" / "quick.md"
    return args


def app_env(database_path, workdir):
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update(
        APP_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{database_path}",
        RATE_LIMIT_AUTH="0",
        ACCESS_TOKEN_TTL="86400",
        MAIL_URL=f"file://{workdir}/mail",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_database(workdir, users):
    """Migrate, seed, and create the accounts the benchmark logs in with."""
    from app import create_app, migrations
    from app.database import get_db
    from app.services import users as users_service

    database = workdir / "bench.db"
    os.environ.update(app_env(database, workdir))
    app = create_app({"LOG_LEVEL": "WARNING"})
    with app.app_context():
        migrations.upgrade(get_db())
        users_service.create_or_promote_admin(
            {"name": "Bench Admin", "email": "admin@bench.example", "password": PASSWORD}
        )
        for email in ("me@bench.example", "login@bench.example"):
            users_service.register(
                {"name": "Bench User", "email": email, "password": PASSWORD}, notify=False
            )
        password_hash = users_service.users_repo.get_by_email(get_db(), email).password_hash
    seed.seed_users(database, users, password_hash)
    return database


def enrol_mfa_users(args):
    """Seeded users with TOTP confirmed, enough for every MFA login of this run."""
    from app import create_app

    count = mfa_login.users_needed(args.rounds, args.duration, len(args.configs))
    print(f"enrolling TOTP for {count:,} users...", flush=True)
    app = create_app({"LOG_LEVEL": "WARNING"})
    with app.app_context():
        enrolled = mfa_login.enrol(count)
    app.extensions["db_pool"].close()
    return enrolled


def endpoints(tokens):
    """(label, path, lua script, script arguments) of every measured endpoint."""
    return [
        ("GET /health/live", "/health/live", None, ()),
        ("GET /users/me", "/users/me", "bearer.lua", (tokens["me"],)),
        # Right after the same request with the access token: compared side by side.
        (API_KEY_LABEL, "/users/me", "bearer.lua", (tokens["api_key"],)),
        ("GET /users/{id} (admin)", "/users/2", "bearer.lua", (tokens["admin"],)),
        ("GET /users?limit=20 (admin)", "/users?limit=20", "bearer.lua", (tokens["admin"],)),
        ("PATCH /users/me", "/users/me", "patch_me.lua", (tokens["me"],)),
        ("POST /login", "/login", "login.lua", ("login@bench.example", PASSWORD)),
        ("POST /users", "/users", "register.lua", ()),
    ]


def _post(server, path, body, headers=None):
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    return json.loads(conn.getresponse().read())


def log_in(server, email):
    return _post(server, "/login", {"email": email, "password": PASSWORD})["access_token"]


def create_api_key(server, access_token):
    """An API key of the same user, for the side-by-side comparison."""
    return _post(
        server,
        "/users/me/api-keys",
        {"name": "bench", "scopes": ["users:read"]},
        {"Authorization": f"Bearer {access_token}"},
    )["key"]


def measure_config(config, args, env, workdir, mfa_users):
    """Alternate floor and endpoint for every round; return the rows of the table."""
    samples = {}
    floor_env = {**env, "PYTHONPATH": str(ROOT / "bench")}
    with (
        Server(
            "floor:app", config, floor_env, workdir / "floor.log", chdir=ROOT / "bench"
        ) as floor,
        Server("wsgi:app", config, env, workdir / f"app-{config}.log") as app,
    ):
        tokens = {
            "me": log_in(app, "me@bench.example"),
            "admin": log_in(app, "admin@bench.example"),
        }
        tokens["api_key"] = create_api_key(app, tokens["me"])
        # First, while no slow request (hashing) is still queued from another endpoint.
        key_ratios = [
            compare_api_key(app, tokens, args.duration, f"{config} round {number}")
            for number in range(1, args.rounds + 1)
        ]
        for round_number in range(1, args.rounds + 1):
            tag = f"{config} round {round_number}"
            for label, path, script, script_args in endpoints(tokens):
                base = wrk.run(f"{floor.url}/ping", duration=args.duration)
                # The hash rate while the app is idle, so before the login run: after it,
                # it would race the logins wrk leaves queued (about a second of both
                # cores) and flatter the ratio by 5-10%.
                hash_rate = hashrate.checks_per_second() if label == "POST /login" else None
                result = wrk.run(
                    f"{app.url}{path}",
                    duration=args.duration,
                    script=script,
                    script_args=script_args,
                )
                _record(samples, tag, label, (result, base, hash_rate))
            base = wrk.run(f"{floor.url}/ping", duration=args.duration)
            hash_rate = hashrate.checks_per_second()
            result = mfa_login.run(app.port, mfa_users, PASSWORD, duration=args.duration)
            _record(samples, tag, MFA_LABEL, (result, base, hash_rate))
    rows = [summarize(label, runs) for label, runs in samples.items()]
    for row in rows:
        if row["endpoint"] == API_KEY_LABEL:
            row["vs_access_token"] = statistics.median(key_ratios)
    return rows


def _record(samples, tag, label, run):
    samples.setdefault(label, []).append(run)
    result, base, _ = run
    print(
        f"[{tag}] {label}: {result.requests_per_second:.0f} req/s vs floor "
        f"{base.requests_per_second:.0f}",
        flush=True,
    )


def compare_api_key(app, tokens, duration, label):
    """GET /users/me with the API key over the same with the access token, in the order
    token, key, key, token (so a drift in the machine's load cancels out)."""
    rates = {}
    for credential in ("me", "api_key", "api_key", "me"):
        result = wrk.run(
            f"{app.url}/users/me",
            duration=duration,
            script="bearer.lua",
            script_args=(tokens[credential],),
        )
        rates[credential] = rates.get(credential, 0) + result.requests_per_second
    ratio = rates["api_key"] / rates["me"]
    print(f"[{label}] GET /users/me, API key / access token: {ratio:.2f}", flush=True)
    return ratio


def summarize(label, runs):
    """Medians over the rounds; ratios are taken within each round first."""
    median = statistics.median
    row = {
        "endpoint": label,
        "rps": median(r.requests_per_second for r, _, _ in runs),
        "p50": median(r.p50_ms for r, _, _ in runs),
        "p99": median(r.p99_ms for r, _, _ in runs),
        "errors": sum(r.errors for r, _, _ in runs),
        "floor_rps": median(b.requests_per_second for _, b, _ in runs),
        "ratio": median(r.requests_per_second / b.requests_per_second for r, b, _ in runs),
    }
    if runs[0][2] is not None:
        row["hash_rate"] = median(h for _, _, h in runs)
        row["hash_ratio"] = median(r.requests_per_second / h for r, _, h in runs)
    return row


def measure_large(args, workdir):
    """Listing at scale on SQLite, and on PostgreSQL when a server is given."""
    import secrets

    from bench import engines
    from bench import large as large_data

    folder = args.large_dir or workdir
    folder.mkdir(parents=True, exist_ok=True)
    figures = {"sqlite": large_data.measure(folder, args.large, reuse=args.large_dir is not None)}
    if args.postgresql:
        from app.database.postgresql import scratch_schema

        with scratch_schema(args.postgresql, f"bench_{secrets.token_hex(4)}") as url:
            figures["postgresql"] = engines.measure_postgresql(
                large_data.database_url(folder), url, args.large
            )
    return figures


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    wrk.require_wrk()
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="user-service-bench-") as tmp:
        workdir = Path(tmp)
        print(f"seeding {args.users:,} users...", flush=True)
        env = app_env(prepare_database(workdir, args.users), workdir)
        mfa_users = mfa_login.Credentials(enrol_mfa_users(args))
        tables = {
            config: measure_config(config, args, env, workdir, mfa_users) for config in args.configs
        }
        large = None
        if args.large:
            large = measure_large(args, workdir)
        soaked = None
        if args.soak:
            from bench import soak

            print(f"soaking for {args.soak:.0f} s at concurrency 16...", flush=True)
            soak_dir = workdir / "soak"
            soak_dir.mkdir()
            _, soaked = soak.soak(
                argparse.Namespace(seconds=args.soak, concurrency=16, warmup=5), soak_dir
            )
        audit = None
        if args.audit_events:
            from bench import audit as audit_trail

            audit = audit_trail.measure(
                workdir, args.audit_events, args.postgresql or "postgresql://127.0.0.1:5432/test"
            )
        scim_figures = None
        if args.scim:
            from bench import scim

            scim_figures = (
                args.scim,
                scim.run(args.scim, os.environ.get("TEST_DATABASE_URL", scim.DEFAULT_SERVER)),
            )
    report.print_tables(tables, large, soaked, audit)
    report.write(args, tables, large, soaked, audit, scim_figures, load_at_start)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
