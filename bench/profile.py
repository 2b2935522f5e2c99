"""Profile the hot path in-process: `python -m bench.profile [--requests 3000] [--top 15]`.

Builds the app on a small seeded SQLite file, logs two accounts in, then calls the
WSGI app directly (no HTTP, no test client) for each hot endpoint, timing a
request and printing cProfile's top entries by own time. The floor app's /ping is
timed the same way, as the reference every ratio in BENCHMARKS.md is taken to.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from bench.run import PASSWORD, app_env, prepare_database

ENDPOINTS = {
    "GET /health/live": ("GET", "/health/live", None, None),
    "GET /users/me": ("GET", "/users/me", "me", None),
    "GET /users/{id} (admin)": ("GET", "/users/2", "admin", None),
    "GET /users?limit=20 (admin)": ("GET", "/users?limit=20", "admin", None),
    "PATCH /users/me": ("PATCH", "/users/me", "me", {"name": "Profiled User"}),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--requests", type=int, default=3000, help="requests per endpoint")
    parser.add_argument("--top", type=int, default=15, help="profile entries to print")
    parser.add_argument("--only", nargs="*", help="endpoint labels to profile")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    return parser.parse_args(argv)


def _environ(method, path, token=None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = json.dumps(body) if body is not None else None
    builder = EnvironBuilder(
        path=path,
        method=method,
        headers=headers,
        data=data,
        content_type="application/json" if data else None,
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _call(app, environ):
    environ = dict(environ)
    if "wsgi.input" in environ:
        environ["wsgi.input"] = io.BytesIO(environ["_body"])
    status = []
    chunks = app(environ, lambda s, h, e=None: status.append(s))
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return status[0], body


def _prepared(method, path, token=None, body=None):
    environ = _environ(method, path, token, body)
    environ["_body"] = environ["wsgi.input"].read()
    return environ


def measure(app, environ, count, profile):
    """Return (µs per request, pstats or None)."""
    for _ in range(200):
        status, body = _call(app, environ)
    assert status.startswith("200"), (status, body[:300])
    started = time.perf_counter()
    for _ in range(count):
        _call(app, environ)
    per_request = (time.perf_counter() - started) / count * 1e6
    stats = None
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            _call(app, environ)
        profiler.disable()
        stats = pstats.Stats(profiler)
    return per_request, stats


def top_entries(stats, count, top):
    """The `top` functions by own time, as (µs per request, calls per request, name)."""
    rows = []
    for (filename, line, name), (_, calls, own, _cumulative, _) in stats.stats.items():
        short = filename.split("site-packages/")[-1].split("/perf/")[-1]
        rows.append((own / count * 1e6, calls / count, f"{short}:{line}({name})"))
    rows.sort(reverse=True)
    return rows[:top]


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="user-service-profile-") as tmp:
        workdir = Path(tmp)
        database = prepare_database(workdir, 2000)
        os.environ.update(app_env(database, workdir))
        os.environ["LOG_LEVEL"] = "INFO"
        from app import create_app
        from bench import floor

        app = create_app()
        logfile = open(workdir / "log", "w")  # noqa: SIM115 - open for the whole run; the access lines, kept off the terminal
        import logging

        for handler in logging.getLogger().handlers:
            if hasattr(handler, "setStream"):
                handler.setStream(logfile)
        tokens = {}
        for who in ("me", "admin"):
            environ = _prepared(
                "POST", "/login", None, {"email": f"{who}@bench.example", "password": PASSWORD}
            )
            status, body = _call(app, environ)
            tokens[who] = json.loads(body)["access_token"]
        floor_us, _ = measure(floor.app, _prepared("GET", "/ping"), args.requests, False)
        print(f"floor GET /ping: {floor_us:.0f} µs a request (in-process)")
        for label, (method, path, who, body) in ENDPOINTS.items():
            if args.only and label not in args.only:
                continue
            environ = _prepared(method, path, tokens.get(who), body)
            per_request, stats = measure(app, environ, args.requests, not args.no_profile)
            print(
                f"\n{label}: {per_request:.0f} µs a request "
                f"({per_request / floor_us:.1f}x the floor's /ping)"
            )
            if stats:
                print(f"  {'µs/req':>7} {'calls/req':>9}  function (own time)")
                for own, calls, name in top_entries(stats, args.requests, args.top):
                    print(f"  {own:7.1f} {calls:9.1f}  {name}")


if __name__ == "__main__":
    main()
