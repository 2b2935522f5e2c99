"""Shared tools of the fault tests: production servers on a file, clients that collide."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor

from tests import databases
from tests.helpers import PASSWORD
from tests.servers import Gunicorn, flask_cli, service_env

CONNECTION_ERRORS = (OSError, http.client.HTTPException)


def make_env(tmp_path, **extra):
    """A migrated production database (a file in `tmp_path` unless `DATABASE_URL` is
    given); mail and metric files go to `tmp_path` too.

    gunicorn.conf.py removes a metrics folder of its own only on a clean exit: a
    SIGKILLed server would leave one behind in the system's temp folder.
    """
    (tmp_path / "metrics").mkdir()
    env = service_env(
        tmp_path / "users.db",
        RATE_LIMIT_AUTH="0",
        LOG_LEVEL="WARNING",
        MAIL_URL=f"file://{tmp_path / 'mail'}",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        **extra,
    )
    result = flask_cli(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return env


def create_admin(env, email, password=PASSWORD):
    """Create an admin through the operator's CLI."""
    result = flask_cli(
        env,
        "users",
        "create-admin",
        "--email",
        email,
        "--name",
        "Admin",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert result.returncode == 0, result.stderr


def serve(env, log_path, workers=2, threads=1):
    """Gunicorn on `env`; its log and the workers' stderr go to `log_path`, not a pipe."""
    args = ["--error-logfile", str(log_path), "--capture-output"]
    if threads > 1:
        args += ["--threads", str(threads)]
    return Gunicorn(env, workers=workers, extra_args=args)


def database_path(env):
    """The database file of a `service_env` environment."""
    return env["DATABASE_URL"].removeprefix("sqlite:///")


def query(env, sql, **params):
    """Run one query (`:name` parameters) on the server's database; return all rows."""
    return databases.query(env["DATABASE_URL"], sql, params)


def concurrently(count, attempt):
    """Call `attempt(i)` for i in range(count) from `count` threads released together.

    Returns the results in order of `i`.
    """
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait(timeout=30)
        return attempt(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def outcomes(answers):
    """Sorted (status, problem code) pairs of `server.request` answers."""
    return sorted((status, (body or {}).get("code")) for status, _, body in answers)


def login(server, email, password=PASSWORD):
    """Log in; return (Authorization headers, token pair)."""
    status, _, pair = server.request("POST", "/login", {"email": email, "password": password})
    assert status == 200, pair
    return {"Authorization": f"Bearer {pair['access_token']}"}, pair


def register(server, email, name="Fault Tester", password=PASSWORD):
    """Register a user; return its representation."""
    status, _, user = server.request(
        "POST", "/users", {"name": name, "email": email, "password": password}
    )
    assert status == 201, user
    return user
