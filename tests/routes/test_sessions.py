"""POST /token/refresh and POST /logout: single-use refresh, reuse detection, ending sessions."""

import threading
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.database import get_db
from app.services import login_sessions as sessions_service
from tests.helpers import PASSWORD, assert_problem

PAIR_FIELDS = {"access_token", "refresh_token", "token_type", "expires_in", "user"}
NEW_PASSWORD = "a completely different passphrase"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def sid_of(token):
    return jwt.decode(token, options={"verify_signature": False})["sid"]


@pytest.fixture
def log_in(client, user):
    """Open a session over HTTP; returns the token pair as JSON."""

    def post(email="regular@example.com", password=PASSWORD):
        response = client.post("/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return post


@pytest.fixture
def pair(log_in):
    return log_in()


def refresh(client, token):
    return client.post("/token/refresh", json={"refresh_token": token})


def me(client, token):
    return client.get("/users/me", headers=bearer(token))


def assert_dead(client, tokens):
    """The pair's access token and refresh token are both refused."""
    assert_problem(me(client, tokens["access_token"]), 401, "invalid_token")
    assert_problem(refresh(client, tokens["refresh_token"]), 401, "invalid_token")


def assert_alive(client, tokens):
    assert me(client, tokens["access_token"]).status_code == 200
    assert refresh(client, tokens["refresh_token"]).status_code == 200


# --- POST /token/refresh -------------------------------------------------------------


def test_refresh_returns_new_pair_of_same_session(client, pair, user):
    response = refresh(client, pair["refresh_token"])
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == PAIR_FIELDS
    assert (body["token_type"], body["expires_in"], body["user"]["id"]) == ("Bearer", 900, user.id)
    assert body["access_token"] != pair["access_token"]
    assert body["refresh_token"] != pair["refresh_token"]
    assert sid_of(body["access_token"]) == sid_of(pair["access_token"])


def test_refresh_response_is_not_cached(client, pair):
    assert refresh(client, pair["refresh_token"]).headers["Cache-Control"] == "no-store"


def test_refresh_new_access_token_opens_account(client, pair, user):
    new = refresh(client, pair["refresh_token"]).get_json()
    response = me(client, new["access_token"])
    assert (response.status_code, response.get_json()["id"]) == (200, user.id)


def test_refresh_new_refresh_token_can_be_spent_in_turn(client, pair):
    token = pair["refresh_token"]
    for _ in range(3):
        response = refresh(client, token)
        assert response.status_code == 200
        token = response.get_json()["refresh_token"]


def test_refresh_with_spent_token_is_invalid_token(client, pair):
    refresh(client, pair["refresh_token"])
    response = refresh(client, pair["refresh_token"])
    assert_problem(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_refresh_with_spent_token_revokes_whole_session(client, pair):
    descendant = refresh(client, pair["refresh_token"]).get_json()
    refresh(client, pair["refresh_token"])
    assert_dead(client, descendant)
    assert_problem(me(client, pair["access_token"]), 401, "invalid_token")


def test_refresh_with_spent_token_leaves_other_sessions_alone(client, log_in, pair):
    other = log_in()
    refresh(client, pair["refresh_token"])
    refresh(client, pair["refresh_token"])
    assert_alive(client, other)


def test_refresh_with_spent_token_is_logged(client, pair, caplog):
    refresh(client, pair["refresh_token"])
    refresh(client, pair["refresh_token"])
    events = [getattr(record, "event", None) for record in caplog.records]
    assert "token.reuse_detected" in events
    assert pair["refresh_token"] not in caplog.text


@pytest.mark.parametrize("token", ["garbage", "x" * 512, "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_refresh_with_unknown_token_is_invalid_token(client, token):
    assert_problem(refresh(client, token), 401, "invalid_token")


def test_refresh_with_access_token_is_invalid_token(client, pair):
    assert_problem(refresh(client, pair["access_token"]), 401, "invalid_token")


@pytest.fixture
def at(monkeypatch):
    """Set the clock of the refresh service to `seconds` from now."""

    def travel(seconds):
        moment = datetime.now(UTC) + timedelta(seconds=seconds)
        monkeypatch.setattr(sessions_service, "utcnow", lambda: moment)

    return travel


@pytest.mark.parametrize(("seconds", "status"), [(1209600 + 5, 401), (1209600 - 60, 200)])
def test_refresh_near_expiry(client, pair, at, seconds, status):
    at(seconds)
    assert refresh(client, pair["refresh_token"]).status_code == status


class TestShortRefreshLifetime:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "ACCESS_TOKEN_TTL": 60, "REFRESH_TOKEN_TTL": 120}

    @pytest.mark.parametrize(("seconds", "status"), [(121, 401), (100, 200)])
    def test_refresh_near_configured_expiry(self, client, pair, at, seconds, status):
        at(seconds)
        assert refresh(client, pair["refresh_token"]).status_code == status


def self_change_password(client, admin_headers, user, headers):
    body = {"password": NEW_PASSWORD, "current_password": PASSWORD}
    return client.patch("/users/me", json=body, headers=headers)


def deactivate(client, admin_headers, user, headers):
    return client.patch(f"/users/{user.id}", json={"is_active": False}, headers=admin_headers)


def promote(client, admin_headers, user, headers):
    return client.patch(f"/users/{user.id}", json={"role": "admin"}, headers=admin_headers)


def admin_reset_password(client, admin_headers, user, headers):
    return client.patch(f"/users/{user.id}", json={"password": NEW_PASSWORD}, headers=admin_headers)


def delete_self(client, admin_headers, user, headers):
    return client.delete("/users/me", headers=headers)


@pytest.mark.parametrize(
    "change", [self_change_password, admin_reset_password, deactivate, promote, delete_self]
)
def test_refresh_after_account_change_is_invalid_token(client, pair, user, admin_headers, change):
    response = change(client, admin_headers, user, bearer(pair["access_token"]))
    assert response.status_code in (200, 204), response.get_json()
    assert_dead(client, pair)


def test_refresh_after_email_change_still_works(client, pair, user):
    response = client.patch(
        "/users/me",
        json={"email": "renamed@example.com", "current_password": PASSWORD},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 200
    assert_alive(client, pair)


def test_refresh_after_password_change_works_for_new_login(client, log_in, pair, user):
    self_change_password(client, None, user, bearer(pair["access_token"]))
    assert_alive(client, log_in(password=NEW_PASSWORD))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "refresh_token"),
        ({"refresh_token": None}, "refresh_token"),
        ({"refresh_token": 5}, "refresh_token"),
        ({"refresh_token": ["abc"]}, "refresh_token"),
        ({"refresh_token": ""}, "refresh_token"),
        ({"refresh_token": "x" * 513}, "refresh_token"),
        ({"refresh_token": "abc\x00"}, "refresh_token"),
        ({"refresh_token": "abc", "access_token": "x"}, "access_token"),
    ],
)
def test_refresh_with_invalid_body_is_unprocessable(client, body, field):
    problem = assert_problem(client.post("/token/refresh", json=body), 422, "validation_error")
    assert field in problem["errors"]


def test_refresh_without_body_is_unprocessable(client):
    assert_problem(client.post("/token/refresh"), 422, "validation_error")


def test_refresh_race_gives_at_most_one_success(app, pair):
    barrier, statuses = threading.Barrier(8), []

    def attempt():
        with app.test_client() as own_client:
            barrier.wait()
            statuses.append(refresh(own_client, pair["refresh_token"]).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200] + [401] * 7


def session_ids(app):
    with app.app_context():
        return {row["id"] for row in get_db().execute("SELECT id FROM sessions")}


def test_login_with_purge_probability_one_purges_expired_rows(app, client, log_in):
    stale = log_in()
    with app.app_context():
        get_db().execute("UPDATE refresh_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    app.config["SESSION_PURGE_PROBABILITY"] = 1.0
    fresh = log_in()
    assert session_ids(app) == {sid_of(fresh["access_token"])}
    assert_problem(refresh(client, stale["refresh_token"]), 401, "invalid_token")


def test_login_with_purge_probability_zero_keeps_expired_rows(app, log_in):
    stale = log_in()
    with app.app_context():
        get_db().execute("UPDATE refresh_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    log_in()
    assert sid_of(stale["access_token"]) in session_ids(app)


# --- POST /logout --------------------------------------------------------------------


def logout(client, tokens, **kwargs):
    return client.post("/logout", headers=bearer(tokens["access_token"]), **kwargs)


def test_logout_is_no_content(client, pair):
    response = logout(client, pair)
    assert response.status_code == 204
    assert response.get_data() == b""


def test_logout_ends_this_session_at_once(client, pair):
    logout(client, pair)
    assert_dead(client, pair)


def test_logout_after_refresh_ends_refreshed_pair(client, pair):
    new = refresh(client, pair["refresh_token"]).get_json()
    assert logout(client, pair).status_code == 204
    assert_dead(client, new)


def test_logout_leaves_other_sessions_alone(client, log_in, pair):
    other = log_in()
    logout(client, pair)
    assert_alive(client, other)


def test_logout_leaves_other_users_alone(client, pair, make_user, login):
    other_headers = login(make_user())
    logout(client, pair)
    assert client.get("/users/me", headers=other_headers).status_code == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": "", "content_type": "application/json"},
        {"json": {}},
        {"json": {"all": False}},
    ],
    ids=["no-body", "empty-body", "empty-object", "all-false"],
)
def test_logout_without_all_ends_only_this_session(client, log_in, pair, kwargs):
    other = log_in()
    assert logout(client, pair, **kwargs).status_code == 204
    assert_problem(me(client, pair["access_token"]), 401, "invalid_token")
    assert_alive(client, other)


def test_logout_all_ends_every_session(client, log_in, pair):
    others = [log_in(), log_in()]
    assert logout(client, pair, json={"all": True}).status_code == 204
    for tokens in [pair, *others]:
        assert_dead(client, tokens)


def test_logout_all_leaves_other_users_alone(client, pair, make_user, login):
    other_headers = login(make_user())
    logout(client, pair, json={"all": True})
    assert client.get("/users/me", headers=other_headers).status_code == 200


def test_logout_twice_is_invalid_token(client, pair):
    logout(client, pair)
    assert_problem(logout(client, pair), 401, "invalid_token")


def test_logout_then_login_opens_working_session(client, log_in, pair):
    logout(client, pair, json={"all": True})
    assert_alive(client, log_in())


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer garbage"}])
def test_logout_unauthenticated_is_unauthorized(client, headers):
    response = client.post("/logout", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"all": "yes"}, "all"),
        ({"all": 1}, "all"),
        ({"all": None}, "all"),
        ({"everywhere": True}, "everywhere"),
    ],
)
def test_logout_with_invalid_body_is_unprocessable(client, pair, body, field):
    problem = assert_problem(logout(client, pair, json=body), 422, "validation_error")
    assert field in problem["errors"]


def test_logout_with_invalid_body_keeps_session(client, pair):
    logout(client, pair, json={"all": "yes"})
    assert me(client, pair["access_token"]).status_code == 200
