"""Per-client request limits on the authentication routes (app/http/rate_limits.py)."""

import os
import secrets

import pytest
import redis

from tests.helpers import assert_problem
from tests.servers import free_port

LIMITED = [
    ("/login", {"email": "nobody@example.com", "password": "not the password"}),
    ("/users", {}),
    ("/token/refresh", {"refresh_token": "not-a-token"}),
]
ROUTE_IDS = ["login", "register", "refresh"]
# The second-factor routes (POST /reauth is tested in tests/routes/test_reauth.py).
MFA_LIMITED = [
    ("/login/mfa", {"mfa_token": "not-a-token", "code": "123456"}),
    ("/login/passkey", {"credential": {}}),
    ("/passkeys/login-options", {}),
]
CLIENT = "198.51.100.7"


@pytest.fixture
def settings(settings):
    return {**settings, "RATE_LIMIT_AUTH": "3/minute"}


def post(client, path, body, address=CLIENT, headers=None):
    return client.post(
        path, json=body, headers=headers or {}, environ_base={"REMOTE_ADDR": address}
    )


def exhaust(client, path, body, **kwargs):
    """Spend the client's three allowed requests; none of them may be refused."""
    for _ in range(3):
        assert post(client, path, body, **kwargs).status_code != 429


def assert_rate_limited(response):
    assert_problem(response, 429, "rate_limited")
    value = response.headers["Retry-After"]
    # Flask-Limiter rounds the window's end up to the next whole second.
    assert value.isdigit() and 0 < int(value) <= 61, value


@pytest.mark.parametrize(("path", "body"), LIMITED, ids=ROUTE_IDS)
def test_post_over_limit_is_rate_limited(client, path, body):
    exhaust(client, path, body)
    assert_rate_limited(post(client, path, body))


@pytest.mark.parametrize(("path", "body"), MFA_LIMITED, ids=["mfa", "passkey", "options"])
def test_post_to_second_factor_route_over_limit_is_rate_limited(client, path, body):
    exhaust(client, path, body)
    assert_rate_limited(post(client, path, body))


@pytest.mark.parametrize(("path", "body"), LIMITED, ids=ROUTE_IDS)
def test_post_from_other_address_is_not_limited(client, path, body):
    exhaust(client, path, body)
    assert post(client, path, body, address="198.51.100.8").status_code != 429


@pytest.mark.parametrize(("path", "body"), LIMITED, ids=ROUTE_IDS)
def test_post_with_forged_forwarded_for_is_still_limited(client, path, body):
    for number in range(3):
        post(client, path, body, headers={"X-Forwarded-For": f"203.0.113.{number}"})
    response = post(client, path, body, headers={"X-Forwarded-For": "203.0.113.99"})
    assert_rate_limited(response)


def test_post_over_limit_with_right_credentials_is_rate_limited(client, user):
    exhaust(client, *LIMITED[0])
    body = {"email": "regular@example.com", "password": "correct horse battery staple"}
    assert_rate_limited(post(client, "/login", body))


def test_post_over_limit_on_one_route_leaves_other_routes_alone(client):
    exhaust(client, *LIMITED[0])
    assert post(client, *LIMITED[2]).status_code == 401


@pytest.mark.parametrize("path", ["/users/me", "/health/live", "/"])
def test_get_is_not_limited(client, user_headers, path):
    for _ in range(6):
        assert (
            client.get(path, headers=user_headers, environ_base={"REMOTE_ADDR": CLIENT}).status_code
            == 200
        )


def test_get_users_list_is_not_limited_by_post_limit(client, admin_headers):
    exhaust(client, "/users", {})
    assert (
        client.get(
            "/users", headers=admin_headers, environ_base={"REMOTE_ADDR": CLIENT}
        ).status_code
        == 200
    )


def test_logout_is_not_limited(client, user, login):
    for _ in range(5):
        response = client.post("/logout", headers=login(user), environ_base={"REMOTE_ADDR": CLIENT})
        assert response.status_code == 204


class TestBehindOneProxy:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "TRUSTED_PROXIES": 1}

    @staticmethod
    def via_proxy(client, forwarded_for):
        return post(
            client, *LIMITED[0], address="10.0.0.1", headers={"X-Forwarded-For": forwarded_for}
        )

    def test_post_over_limit_from_forwarded_address_is_rate_limited(self, client):
        for _ in range(3):
            self.via_proxy(client, CLIENT)
        assert_rate_limited(self.via_proxy(client, CLIENT))

    def test_post_from_other_forwarded_address_is_not_limited(self, client):
        for _ in range(3):
            self.via_proxy(client, CLIENT)
        assert self.via_proxy(client, "198.51.100.8").status_code == 401

    def test_post_with_spoofed_first_hop_counts_as_proxy_client(self, client):
        for number in range(3):
            self.via_proxy(client, f"203.0.113.{number}, {CLIENT}")
        assert_rate_limited(self.via_proxy(client, f"203.0.113.99, {CLIENT}"))


class TestLimitsOff:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "RATE_LIMIT_AUTH": "0"}

    @pytest.mark.parametrize(("path", "body"), LIMITED, ids=ROUTE_IDS)
    def test_post_many_times_is_not_limited(self, client, path, body):
        for number in range(10):
            # A new account each time keeps the failed-login back-off out of it.
            body = {**body, "email": f"nobody{number}@example.com"} if "email" in body else body
            assert post(client, path, body).status_code != 429


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run it")
    return url


class TestRedisStorage:
    """Counters in Redis, where every worker and instance sees them."""

    PREFIX = f"rate-limit-test-{secrets.token_hex(4)}"

    @pytest.fixture
    def settings(self, settings, redis_url):
        return {**settings, "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": self.PREFIX}

    @pytest.fixture
    def redis_keys(self, redis_url):
        """The keys of this test's counters, deleted afterwards."""
        server = redis.Redis.from_url(redis_url)
        yield lambda: server.keys(f"*{self.PREFIX}*")
        for key in server.keys(f"*{self.PREFIX}*"):
            server.delete(key)
        server.close()

    def test_post_over_limit_is_counted_in_redis(self, client, redis_keys):
        exhaust(client, *LIMITED[0])
        assert_rate_limited(post(client, *LIMITED[0]))
        assert redis_keys(), "no counter under the key prefix in Redis"


class TestStorageDown:
    """A shared storage that does not answer: limits go on per process, never a 5xx."""

    @pytest.fixture
    def settings(self, settings):
        return {**settings, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}

    @pytest.mark.parametrize(("path", "body"), LIMITED, ids=ROUTE_IDS)
    def test_post_over_limit_with_storage_down_is_rate_limited(self, client, path, body):
        exhaust(client, path, body)
        assert_rate_limited(post(client, path, body))
