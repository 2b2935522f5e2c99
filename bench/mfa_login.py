"""Whole logins with a second factor over HTTP: `POST /login`, then `POST /login/mfa`.

wrk cannot carry the `mfa_token` of one answer into the next request, and a TOTP code
is good once per user and step (30 s), so Python threads drive these: each login takes
a seeded user of its own, with TOTP confirmed beforehand, and its current code. The
figure is whole logins a second, set against the raw password-hash rate like
`POST /login`: the second step must cost next to nothing beside the hash.
"""

import http.client
import json
import statistics
import threading
import time

import pyotp

from bench.wrk import Result

FIRST_USER_ID = 1000  # seeded users from here on get a second factor
CONCURRENCY = 16  # as wrk's -c16
# Not counted: a whole login is two requests, and the first ones complete only when the
# workers' queue has filled (16 logins waiting behind two hashes), about a second in.
WARMUP_SECONDS = 2


def users_needed(rounds, duration, configs):
    """A generous count: each user logs in once per run, at up to 30 logins a second."""
    return rounds * configs * (max(duration, 1) + WARMUP_SECONDS) * 30 + 100


def enrol(count):
    """In the app's context: confirm TOTP for `count` seeded users; return (email, secret)s."""
    from app.database import get_db
    from app.repositories import users as users_repo
    from app.services import second_factors

    enrolled = []
    for user_id in range(FIRST_USER_ID, FIRST_USER_ID + count):
        user = users_repo.get_by_id(get_db(), user_id)
        secret = second_factors.start_totp(user).secret
        totp = pyotp.TOTP(secret)
        # The previous step's code: the current step stays free for a login right away.
        second_factors.confirm_totp(user, totp.at(time.time() - totp.interval))
        enrolled.append((user.email, secret))
    return enrolled


class Credentials:
    """The enrolled users, each handed out once, across rounds and threads."""

    def __init__(self, enrolled):
        self._left = iter(enrolled)
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            credential = next(self._left, None)
        if credential is None:
            raise SystemExit("bench/mfa_login.py: too few users enrolled for this run")
        return credential


def run(port, credentials, password, *, duration):
    """Log in with TOTP from CONCURRENCY threads; count the logins that end within
    `duration` s after a warm-up; return a wrk-like Result."""
    counted_from = time.perf_counter() + WARMUP_SECONDS
    deadline = counted_from + duration
    latencies, failures = [], []

    def log_in_until_deadline():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            email, secret = credentials.take()
            started = time.perf_counter()
            ok = _log_in(conn, email, password, secret)
            if counted_from <= time.perf_counter() < deadline:
                (latencies if ok else failures).append((time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=log_in_until_deadline) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return Result(
        requests_per_second=len(latencies) / duration,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
        errors=len(failures),
    )


def _log_in(conn, email, password, secret):
    status, body = _post(conn, "/login", {"email": email, "password": password})
    if status != 200 or not body.get("mfa_required"):
        return False
    code = pyotp.TOTP(secret).now()
    status, body = _post(conn, "/login/mfa", {"mfa_token": body["mfa_token"], "code": code})
    return status == 200 and "access_token" in body


def _post(conn, path, body):
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    except (OSError, http.client.HTTPException, ValueError):
        conn.close()  # reconnects on the next request
        return None, {}
