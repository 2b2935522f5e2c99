"""Soak the service: `python -m bench.soak [--seconds 600] [--concurrency 16]`.

Starts gunicorn -w 2 (sync) on a seeded temp database, drives mixed traffic from a
thread pool, and reports the answers by status, the p99 latency of the first and the
last minute, and each worker's resident memory after warm-up and at the end. Exits
non-zero on any 5xx or connection error, on a worker that was replaced, when the last
minute's p99 is more than 1.5x the first's, or when a worker's RSS grew by 5% or more.
`python -m bench --soak SECONDS` runs it too and reports it with the other targets.
"""

import argparse
import http.client
import itertools
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.run import PASSWORD, app_env, log_in, prepare_database
from bench.servers import Server

MAX_RSS_GROWTH = 0.05
MAX_P99_DRIFT = 1.5
WINDOW = 60.0  # seconds: p99 of the first and the last minute (a fifth of a short run)
SEEDED_USERS = 200
# (label, weight): the share of each request in the mix.
MIX = [
    ("GET /users/me", 35),
    ("GET /users?limit=20", 20),
    ("PATCH /users/me", 20),
    ("GET /health", 23),
    ("POST /login", 2),
]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seconds", type=float, default=600, help="length of the soak")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before the RSS baseline")
    return parser.parse_args(argv)


def request_for(label, tokens, number):
    """(method, path, body, headers) of one request of the mix."""
    me = {"Authorization": f"Bearer {tokens['me']}"}
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    return {
        "GET /users/me": ("GET", "/users/me", None, me),
        "GET /users?limit=20": ("GET", "/users?limit=20", None, admin),
        "PATCH /users/me": ("PATCH", "/users/me", {"name": f"Soak {number}"}, me),
        "GET /health": ("GET", "/health", None, {}),
        "POST /login": (
            "POST",
            "/login",
            {"email": "login@bench.example", "password": PASSWORD},
            {},
        ),
    }[label]


def send(port, method, path, body, headers):
    """Send one request on a fresh connection (sync workers close it); return the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        if payload:
            headers = {**headers, "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Traffic:
    """Client threads sending the mix; they pause so that memory is read between requests.

    A login hashes with scrypt (32 MiB), so a worker's RSS read mid-request says more
    about the request in flight than about a leak.
    """

    def __init__(self, port, tokens, concurrency):
        self.port, self.tokens, self.concurrency = port, tokens, concurrency
        self.outcomes = Counter()
        self.latencies = []  # (seconds since the measured start, seconds taken)
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.flowing = threading.Event()
        self.stopped = False
        self.in_flight = 0

    def client(self, seed):
        rng = random.Random(seed)
        labels, weights = zip(*MIX)
        for number in itertools.count():
            self.flowing.wait()
            with self.lock:
                if self.stopped:
                    return
                if not self.flowing.is_set():
                    continue
                self.in_flight += 1
            label = rng.choices(labels, weights)[0]
            sent = time.monotonic()
            outcome = self.send(*request_for(label, self.tokens, number))
            taken = time.monotonic() - sent
            with self.lock:
                self.in_flight -= 1
                self.outcomes[label, outcome] += 1
                if label != "POST /login":  # a password hash: its own, deliberate cost
                    self.latencies.append((sent - self.started, taken))

    def send(self, *request):
        try:
            return send(self.port, *request)
        except (OSError, http.client.HTTPException) as error:
            return f"connection error: {type(error).__name__}"

    def pause(self):
        """Hold every client back and wait for the requests in flight to finish."""
        with self.lock:
            self.flowing.clear()
        while self.in_flight:
            time.sleep(0.01)
        time.sleep(0.2)

    def resume(self):
        self.flowing.set()

    def __enter__(self):
        self.pool = ThreadPoolExecutor(max_workers=self.concurrency)
        self.futures = [self.pool.submit(self.client, seed) for seed in range(self.concurrency)]
        self.resume()
        return self

    def __exit__(self, *exc):
        with self.lock:
            self.stopped = True
        self.flowing.set()
        for future in self.futures:
            future.result()
        self.pool.shutdown()


def workers_rss(master_pid):
    """{worker pid: VmRSS in kB} of the gunicorn master's children."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return {int(pid): _rss_kb(pid) for pid in children}


def _rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def p99_drift(latencies, seconds):
    """(p99 ms of the first window, of the last window): the window is a minute, or a
    fifth of a shorter run."""
    window = min(WINDOW, seconds / 5)
    first = sorted(t for at, t in latencies if at < window)
    last = sorted(t for at, t in latencies if at >= seconds - window)

    def p99(values):
        return values[min(len(values) - 1, int(len(values) * 0.99))] * 1000 if values else 0.0

    return p99(first), p99(last), window


def report(outcomes, seconds, start_rss, end_rss, latencies=()):
    """Print the figures; return (the list of reasons to fail, the figures)."""
    total = sum(outcomes.values())
    print(f"\n{total} requests in {seconds:.0f} s ({total / seconds:.0f}/s)\n")
    for (label, outcome), count in sorted(outcomes.items(), key=str):
        print(f"  {label:<22} {outcome!s:<34} {count:>8}")
    errors = sum(
        count
        for (_, outcome), count in outcomes.items()
        if not isinstance(outcome, int) or outcome >= 500
    )
    print(f"\nerrors (5xx and connection errors): {errors}\n")
    problems = [f"{errors} errors"] if errors else []
    first, last, window = p99_drift(latencies, seconds)
    drift = last / first if first else float("inf")
    print(
        f"p99 (logins aside): first {window:.0f} s {first:.1f} ms, last {window:.0f} s "
        f"{last:.1f} ms ({drift:.2f}x)"
    )
    if drift > MAX_P99_DRIFT:
        problems.append(f"p99 drifted {drift:.2f}x")
    growths = []
    if set(start_rss) != set(end_rss):
        problems.append(f"workers replaced: {sorted(start_rss)} -> {sorted(end_rss)}")
    for pid in sorted(start_rss):
        end = end_rss.get(pid)
        growth = (end - start_rss[pid]) / start_rss[pid] if end else float("nan")
        print(
            f"  worker {pid}: RSS {start_rss[pid] / 1024:.1f} MiB -> "
            f"{(end or 0) / 1024:.1f} MiB ({growth:+.1%})"
        )
        growths.append(growth)
        if end and growth >= MAX_RSS_GROWTH:
            problems.append(f"worker {pid} RSS grew {growth:.1%}")
    figures = {
        "seconds": seconds,
        "requests": total,
        "errors": errors,
        "p99_first": first,
        "p99_last": last,
        "window": window,
        "drift": drift,
        "rss_growth": max(growths) if growths else float("nan"),
        "workers_replaced": set(start_rss) != set(end_rss),
    }
    return problems, figures


def soak(args, workdir):
    env = app_env(prepare_database(workdir, SEEDED_USERS), workdir)
    # Recycling workers (gunicorn.conf.py's max_requests) would hide a leak: keep them.
    env["GUNICORN_CMD_ARGS"] = "--max-requests 0"
    with Server("wsgi:app", "sync", env, workdir / "soak.log") as server:
        tokens = {
            "me": log_in(server, "me@bench.example"),
            "admin": log_in(server, "admin@bench.example"),
        }
        with Traffic(server.port, tokens, args.concurrency) as traffic:
            time.sleep(args.warmup)
            traffic.pause()
            start_rss = workers_rss(server.process.pid)
            traffic.outcomes.clear()
            traffic.latencies.clear()
            started = traffic.started = time.monotonic()
            traffic.resume()
            time.sleep(args.seconds)
            traffic.pause()
            elapsed = time.monotonic() - started
            end_rss = workers_rss(server.process.pid)
    return report(traffic.outcomes, elapsed, start_rss, end_rss, traffic.latencies)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="user-service-soak-") as tmp:
        print(f"soaking for {args.seconds:.0f} s at concurrency {args.concurrency}...", flush=True)
        problems, _ = soak(args, Path(tmp))
    if problems:
        print("FAIL: " + "; ".join(problems))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
