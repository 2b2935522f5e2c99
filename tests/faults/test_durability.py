"""Crash durability: SIGKILL gunicorn mid-write; every acknowledged write survives it."""

import itertools
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field

import pytest
from werkzeug.security import check_password_hash

from tests.faults.helpers import CONNECTION_ERRORS, create_admin, login, make_env, query, serve

pytestmark = pytest.mark.slow

ROUNDS = 3
WRITERS = 4
RENAMES = 3
ROOT = "root@example.com"


@dataclass
class Account:
    """One registration and its renames, in the order sent, each with whether it was acked."""

    email: str
    password: str
    writes: list = field(default_factory=list)  # [(name, acknowledged)]

    def allowed_names(self):
        """The last acknowledged name, or a later write that was sent but not answered."""
        acked = [index for index, (_, ok) in enumerate(self.writes) if ok]
        return {name for name, _ in self.writes[acked[-1] if acked else 0 :]}


def send(server, method, path, body, headers=None):
    """One request; (status, body), or (None, the error) when the connection failed."""
    try:
        status, _, answer = server.request(method, path, body, headers)
    except CONNECTION_ERRORS as error:
        return None, error
    return status, answer


def write_loop(server, admin, prefix, accounts, failures):
    """Register users and rename each a few times, until a request is not acknowledged."""
    for number in itertools.count():
        account = Account(f"dur{prefix}x{number}@example.com", f"secret {prefix}/{number} battery")
        accounts.append(account)
        name = f"Writer {prefix} {number}"
        status, body = send(
            server,
            "POST",
            "/users",
            {"name": name, "email": account.email, "password": account.password},
        )
        account.writes.append((name, status == 201))
        for rename in range(RENAMES if status == 201 else 0):
            name = f"Renamed {prefix} {number} {rename}"
            status, body = send(server, "PATCH", f"/users/{body['id']}", {"name": name}, admin)
            account.writes.append((name, status == 200))
            if status != 200:
                break
        if status not in (200, 201):
            failures.append((time.monotonic(), status, body))
            return


def load_then_crash(server, admin, round_number, accounts):
    """Run the writers, SIGKILL the whole server mid-loop; return (failures, kill time)."""
    failures = []
    threads = [
        threading.Thread(
            target=write_loop, args=(server, admin, f"{round_number}w{index}", accounts, failures)
        )
        for index in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(1.0, 2.0))
    killed_at = time.monotonic()
    os.killpg(server.process.pid, signal.SIGKILL)  # the master and its workers
    server.process.wait()
    server.stderr.close()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a writer hangs after the kill"
    return failures, killed_at


def check_survivors(env, server, accounts, fresh):
    """Acked registrations exist, log in, and carry the last acked (or a later) name."""
    rows = {
        email: (name, password_hash)
        for email, name, password_hash in query(
            env, "SELECT email, name, password_hash FROM users WHERE email LIKE 'dur%'"
        )
    }
    assert set(rows) <= {account.email for account in accounts}
    acked = [account for account in accounts if account.writes[0][1]]
    assert {account.email for account in acked} <= set(rows)
    for account in accounts:
        if account.email in rows:
            assert rows[account.email][0] in account.allowed_names(), account
    for account in (account for account in fresh if account.writes[0][1]):
        assert check_password_hash(rows[account.email][1], account.password), account
    for account in random.sample(acked, min(2, len(acked))):
        login(server, account.email, account.password)
    return rows


def test_acknowledged_writes_survive_sigkill(tmp_path):
    env, log = make_env(tmp_path), tmp_path / "gunicorn.log"
    create_admin(env, ROOT)
    accounts, server = [], serve(env, log).__enter__()
    try:
        admin = login(server, ROOT)[0]
        for round_number in range(ROUNDS):
            started, before = time.monotonic(), len(accounts)
            failures, killed_at = load_then_crash(server, admin, round_number, accounts)
            assert all(status is None and at >= killed_at for at, status, _ in failures), failures
            assert query(env, "PRAGMA integrity_check") == [("ok",)]
            assert query(env, "PRAGMA foreign_key_check") == []
            server = serve(env, log).__enter__()
            rows = check_survivors(env, server, accounts, accounts[before:])
            report(round_number, accounts[before:], killed_at - started, rows)
    finally:
        if server.process.returncode is None:
            server.__exit__(None, None, None)


def report(round_number, fresh, load_seconds, rows):
    """Print the round's figures (pytest -s shows them)."""
    registered = sum(account.writes[0][1] for account in fresh)
    acked = [ok for account in fresh for _, ok in account.writes]
    landed = sum(
        rows.get(account.email, ("",))[0] == name
        for account in fresh
        for name, ok in account.writes
        if not ok
    )
    print(
        f"\ndurability round {round_number + 1}: killed after {load_seconds:.2f} s;"
        f" acknowledged {registered} registrations and {sum(acked) - registered} renames;"
        f" {acked.count(False)} writes unanswered, {landed} of them landed;"
        f" {len(rows)} users in the database"
    )
