"""Per-account back-off after failed logins (app/services/login_throttle.py), over POST /login."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from app import create_app
from app.services import authentication as auth_service
from tests.helpers import PASSWORD, assert_problem

EMAIL = "regular@example.com"
WRONG = "not the right password at all"
WINDOW = 900


class Clock:
    """The time `app.services.authentication` sees; tests move it instead of sleeping."""

    def __init__(self):
        self.now = datetime.now(UTC)

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth_service, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def attempt(client, user, clock):
    def post(password=WRONG, email=EMAIL, times=1):
        for _ in range(times):
            response = client.post("/login", json={"email": email, "password": password})
        return response

    return post


def retry_after(response):
    """The Retry-After of a 429 rate_limited problem, as whole seconds."""
    assert_problem(response, 429, "rate_limited")
    value = response.headers["Retry-After"]
    assert value.isdigit() and int(value) > 0, value
    return int(value)


@pytest.mark.parametrize("password", [WRONG, PASSWORD])
def test_login_after_max_failures_is_rate_limited(attempt, password):
    attempt(times=5)
    assert 0 < retry_after(attempt(password)) <= 60


def test_login_failures_below_max_are_invalid_credentials(attempt):
    for _ in range(5):
        assert_problem(attempt(), 401, "invalid_credentials")


def test_login_after_fewer_failures_than_max_succeeds(attempt):
    attempt(times=4)
    assert attempt(PASSWORD).status_code == 200


def test_login_failures_of_one_account_leave_others_alone(attempt, make_user):
    make_user(email="other@example.com")
    attempt(times=5)
    assert attempt(PASSWORD, email="other@example.com").status_code == 200


@pytest.mark.parametrize("email", ["REGULAR@example.com", "Regular@Example.Com"])
def test_login_failures_in_other_email_case_count_for_one_account(attempt, email):
    attempt(times=2)
    attempt(email=email, times=3)
    retry_after(attempt(PASSWORD))
    retry_after(attempt(PASSWORD, email=email.swapcase()))


def test_login_throttled_unknown_email_looks_like_known(attempt):
    attempt(times=5)
    attempt(email="nobody@example.com", times=5)
    known, unknown = attempt(PASSWORD), attempt(email="nobody@example.com")
    assert retry_after(known) == retry_after(unknown)
    bodies = [response.get_json() for response in (known, unknown)]
    for body in bodies:
        del body["request_id"]
    assert bodies[0] == bodies[1]
    assert set(known.headers.keys()) == set(unknown.headers.keys())


def test_login_unknown_email_below_max_is_invalid_credentials(attempt):
    attempt(email="nobody@example.com", times=4)
    assert_problem(attempt(email="nobody@example.com"), 401, "invalid_credentials")


def test_login_attempts_during_backoff_do_not_extend_it(attempt, clock):
    attempt(times=5)
    first = retry_after(attempt())
    clock.advance(30)
    attempt(times=3)
    assert retry_after(attempt(PASSWORD)) == first - 30


def test_login_after_backoff_passes_with_right_password_succeeds(attempt, clock):
    attempt(times=5)
    clock.advance(retry_after(attempt()) + 1)
    assert attempt(PASSWORD).status_code == 200


def test_login_backoff_grows_with_further_failures(attempt, clock):
    attempt(times=5)
    waits = []
    for _ in range(4):
        waits.append(retry_after(attempt(PASSWORD)))
        clock.advance(waits[-1] + 1)
        assert_problem(attempt(), 401, "invalid_credentials")
    assert waits == sorted(waits) and len(set(waits)) == len(waits), waits


def test_login_backoff_keeps_growing_past_failure_window(attempt, clock):
    attempt(times=5)
    for _ in range(6):
        clock.advance(retry_after(attempt(PASSWORD)) + 1)
        attempt()
    retry_after(attempt(PASSWORD))


def test_login_success_resets_failure_count(attempt, clock):
    attempt(times=4)
    assert attempt(PASSWORD).status_code == 200
    attempt(times=4)
    assert attempt(PASSWORD).status_code == 200


def test_login_success_after_backoff_resets_failure_count(attempt, clock):
    attempt(times=5)
    clock.advance(retry_after(attempt()) + 1)
    assert attempt(PASSWORD).status_code == 200
    attempt(times=4)
    assert attempt(PASSWORD).status_code == 200


def test_login_failures_older_than_window_do_not_count(attempt, clock):
    attempt(times=4)
    clock.advance(WINDOW + 1)
    attempt()
    assert attempt(PASSWORD).status_code == 200


def test_login_failures_spread_past_window_do_not_block(attempt, clock):
    for gap in (0, 0.6, 0.6, 0.1, 0.1):
        clock.advance(gap * WINDOW)
        attempt()
    assert attempt(PASSWORD).status_code == 200


def test_login_backoff_is_shared_by_apps_on_one_database(attempt, settings, user):
    attempt(times=5)
    other_worker = create_app(settings).test_client()
    response = other_worker.post("/login", json={"email": EMAIL, "password": PASSWORD})
    retry_after(response)


@pytest.fixture
def slow_password_check(monkeypatch):
    """Make each password check take 0.2 s, as a production hash roughly does."""
    check = auth_service.password_matches

    def slow(user, password):
        time.sleep(0.2)
        return check(user, password)

    monkeypatch.setattr(auth_service, "password_matches", slow)


def test_login_concurrent_failures_get_at_most_max_tries(app, user, slow_password_check):
    barrier, statuses = threading.Barrier(10), []

    def attempt():
        with app.test_client() as own_client:
            barrier.wait()
            body = {"email": EMAIL, "password": WRONG}
            statuses.append(own_client.post("/login", json=body).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [401] * 5 + [429] * 5


def test_login_inactive_account_is_throttled_like_others(attempt, make_user):
    make_user(email="off@example.com", is_active=False)
    attempt(email="off@example.com", times=5)
    retry_after(attempt(PASSWORD, email="off@example.com"))


class TestConfiguredLimits:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "LOGIN_MAX_FAILURES": 2, "LOGIN_FAILURE_WINDOW": 60}

    def test_login_after_configured_max_failures_is_rate_limited(self, attempt):
        attempt(times=2)
        retry_after(attempt(PASSWORD))

    def test_login_after_one_failure_below_configured_max_succeeds(self, attempt):
        attempt()
        assert attempt(PASSWORD).status_code == 200

    def test_login_failures_older_than_configured_window_do_not_count(self, attempt, clock):
        attempt()
        clock.advance(61)
        attempt()
        assert attempt(PASSWORD).status_code == 200
