"""Scale-out (issue 6): two instances behind a load balancer, one PostgreSQL, one Redis.

Instances A and B are each `gunicorn -w 2` on a port of their own with the same
SECRET_KEY, the same DATABASE_URL (one PostgreSQL schema) and the same
RATELIMIT_STORAGE_URI (Redis), as README's "Several instances" section runs them.
Whatever one instance learns (a user, a spent refresh token, a failed login, a
client's request count) the other must know at once.

The client's address is what the load balancer reports in X-Forwarded-For
(TRUSTED_PROXIES=1): each test is a client of its own, so the tests sharing the two
instances never eat into each other's per-client quota. The rate-limit keys carry a
prefix of this run (RATELIMIT_KEY_PREFIX) and are deleted afterwards, so runs sharing
one Redis do not collide.
"""

import contextlib
import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.databases import RUN, postgresql_schema, postgresql_server_url
from tests.faults.helpers import concurrently, login, make_env, outcomes, register, serve
from tests.helpers import PASSWORD

pytestmark = pytest.mark.slow

NEEDED = {
    "TEST_DATABASE_URL": "postgresql://127.0.0.1:5432/test",
    "TEST_REDIS_URL": "redis://127.0.0.1:6379/0",
}
AUTH_LIMIT = 6
MAX_FAILURES = 4
WRONG_PASSWORD = "not the right password at all"
BOGUS_REFRESH = {"refresh_token": "not-a-refresh-token"}
KEY_PREFIX = f"scale-out-{os.getpid()}-{RUN}"
_numbers = itertools.count(1)


class Behind:
    """An instance as one client reaches it through the load balancer."""

    def __init__(self, server, address):
        self.server = server
        self.address = address

    def request(self, method, path, body=None, headers=None):
        forwarded = {"X-Forwarded-For": self.address, **(headers or {})}
        return self.server.request(method, path, body, forwarded)


def new_client_address():
    """An address (of TEST-NET-2) that no other client of this run uses."""
    number = next(_numbers)
    assert number < 255, "the run needs more client addresses than TEST-NET-2 has"
    return f"198.51.100.{number}"


def bearer(pair):
    return {"Authorization": f"Bearer {pair['access_token']}"}


@pytest.fixture(scope="module")
def redis_url():
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        example = " ".join(f"{name}={NEEDED[name]}" for name in NEEDED)
        pytest.skip(
            f"scale-out needs a shared PostgreSQL and Redis: set "
            f"{' and '.join(missing)} (e.g. {example})"
        )
    return os.environ["TEST_REDIS_URL"]


@pytest.fixture(scope="module")
def redis_client(redis_url):
    """A client of the shared Redis; deletes this run's rate-limit keys at the end."""
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        keys = list(client.scan_iter(match=f"*{KEY_PREFIX}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="module")
def deployment_env(tmp_path_factory, redis_url, redis_client):
    """The settings every instance of the deployment shares, on a migrated schema."""
    with postgresql_schema(postgresql_server_url()) as database_url:
        env = make_env(
            tmp_path_factory.mktemp("scale-out"),
            DATABASE_URL=database_url,
            RATELIMIT_STORAGE_URI=redis_url,
            RATELIMIT_KEY_PREFIX=KEY_PREFIX,
            LOGIN_MAX_FAILURES=str(MAX_FAILURES),
            TRUSTED_PROXIES="1",
        )
        # make_env turns the per-client limit off; this deployment needs it on.
        yield {**env, "RATE_LIMIT_AUTH": f"{AUTH_LIMIT}/minute"}


@contextlib.contextmanager
def two_instances(env, folder, workers=2):
    """Instances A and B of `env`, each `gunicorn -w WORKERS`, started and stopped side
    by side (a start is mostly the workers importing the app); logs and metrics apart."""
    servers = []
    for name in ("a", "b"):
        (folder / name).mkdir()
        own_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(folder / name)}
        servers.append(serve(own_env, folder / f"{name}.log", workers=workers))
    with ThreadPoolExecutor(max_workers=2) as pool:
        starts = [pool.submit(server.__enter__) for server in servers]
        try:
            yield [start.result() for start in starts]
        finally:
            stops = [
                pool.submit(server.__exit__, None, None, None)
                for server, start in zip(servers, starts)
                if start.exception() is None
            ]
            for stop in stops:
                stop.result()


@pytest.fixture(scope="module")
def instances(deployment_env, tmp_path_factory):
    with two_instances(deployment_env, tmp_path_factory.mktemp("instances")) as servers:
        yield servers


@pytest.fixture
def a_and_b(instances):
    """A and B as reached by a client of this test's own."""
    address = new_client_address()
    return tuple(Behind(server, address) for server in instances)


@pytest.fixture
def email():
    """An account of this test's own."""
    return f"scale-out-{next(_numbers)}@example.com"


def refresh(instance, pair):
    return instance.request("POST", "/token/refresh", {"refresh_token": pair["refresh_token"]})


def reuse_across(a, b, email):
    """Log in and refresh on A, then show the spent token on B; return (B's answer, A's
    newer pair)."""
    register(a, email)
    _, first = login(a, email)
    status, _, newer = refresh(a, first)
    assert status == 200, newer
    return refresh(b, first), newer


def assert_rate_limited(answer, longest):
    status, headers, body = answer
    assert (status, body["code"]) == (429, "rate_limited"), body
    assert 0 < int(headers["Retry-After"]) <= longest, headers["Retry-After"]


def test_login_on_b_after_register_on_a_succeeds(a_and_b, email):
    a, b = a_and_b
    user = register(a, email)
    auth, _ = login(b, email)
    status, _, body = b.request("GET", "/users/me", headers=auth)
    assert status == 200, body
    assert (body["id"], body["email"]) == (user["id"], email)


def test_access_token_from_a_is_accepted_by_b(a_and_b, email):
    a, b = a_and_b
    user = register(a, email)
    auth, _ = login(a, email)
    status, _, body = b.request("GET", f"/users/{user['id']}", headers=auth)
    assert (status, body["email"]) == (200, email)


def test_refresh_token_spent_on_a_is_refused_on_b(a_and_b, email):
    (status, _, body), _ = reuse_across(*a_and_b, email)
    assert (status, body["code"]) == (401, "invalid_token")


@pytest.mark.parametrize("where", [0, 1], ids=["on_a", "on_b"])
def test_refresh_with_newer_token_after_reuse_is_refused(a_and_b, email, where):
    # The newer token, issued by A's refresh, dies with its session on either instance.
    _, newer = reuse_across(*a_and_b, email)
    status, _, body = refresh(a_and_b[where], newer)
    assert (status, body["code"]) == (401, "invalid_token")


def test_newer_access_token_after_reuse_is_refused_on_both(a_and_b, email):
    _, newer = reuse_across(*a_and_b, email)
    for instance in a_and_b:
        status, _, body = instance.request("GET", "/users/me", headers=bearer(newer))
        assert (status, body["code"]) == (401, "invalid_token")


def test_login_after_failures_split_across_instances_is_backed_off_on_both(instances, email):
    # Every attempt comes from a client of its own, so the per-client limit plays no
    # part: only the account's failures, counted in the shared database, refuse it.
    register(Behind(instances[0], new_client_address()), email)
    for attempt in range(MAX_FAILURES):
        status, _, body = Behind(instances[attempt % 2], new_client_address()).request(
            "POST", "/login", {"email": email, "password": WRONG_PASSWORD}
        )
        assert (status, body["code"]) == (401, "invalid_credentials")
    for server in instances:
        answer = Behind(server, new_client_address()).request(
            "POST", "/login", {"email": email, "password": PASSWORD}
        )
        assert_rate_limited(answer, longest=60)  # the first back-off is 60 s


def alternate(a_and_b, count):
    """`count` refreshes with a bogus token, A and B in turn; return the answers."""
    return [
        a_and_b[number % 2].request("POST", "/token/refresh", BOGUS_REFRESH)
        for number in range(count)
    ]


@pytest.mark.parametrize("where", [0, 1], ids=["on_a", "on_b"])
def test_request_over_auth_limit_split_across_instances_is_refused(a_and_b, where):
    answers = alternate(a_and_b, AUTH_LIMIT)
    assert outcomes(answers) == [(401, "invalid_token")] * AUTH_LIMIT
    answer = a_and_b[where].request("POST", "/token/refresh", BOGUS_REFRESH)
    assert_rate_limited(answer, longest=61)  # rounded up to the window's next second


def test_burst_over_auth_limit_across_instances_admits_only_the_limit(a_and_b):
    # Released together, half on each instance: the shared counter still stops at the
    # limit, one increment at a time.
    answers = concurrently(
        2 * AUTH_LIMIT,
        lambda number: a_and_b[number % 2].request("POST", "/token/refresh", BOGUS_REFRESH),
    )
    assert outcomes(answers) == (
        [(401, "invalid_token")] * AUTH_LIMIT + [(429, "rate_limited")] * AUTH_LIMIT
    )


def test_requests_split_across_memory_instances_get_a_quota_each(deployment_env, tmp_path):
    # The control: the same settings with memory:// storage, where each process counts
    # alone. One worker an instance (a start is the costly part, and -w 2 would only
    # make the count per worker) lets the counts be exact: A and B together admit
    # twice the limit, and only A's own 7th request is refused.
    env = {**deployment_env, "RATELIMIT_STORAGE_URI": "memory://"}
    with two_instances(env, tmp_path, workers=1) as servers:
        address = new_client_address()
        a_and_b = [Behind(server, address) for server in servers]
        answers = alternate(a_and_b, 2 * AUTH_LIMIT)
        over = a_and_b[0].request("POST", "/token/refresh", BOGUS_REFRESH)
    assert outcomes(answers) == [(401, "invalid_token")] * (2 * AUTH_LIMIT)
    assert_rate_limited(over, longest=61)


def test_rate_limit_keys_in_redis_carry_the_run_prefix(a_and_b, redis_client):
    a, _ = a_and_b
    a.request("POST", "/token/refresh", BOGUS_REFRESH)
    keys = [key.decode() for key in redis_client.scan_iter(match=f"*/{a.address}/*")]
    assert keys and all(KEY_PREFIX in key for key in keys), keys
