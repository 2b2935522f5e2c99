"""GET /users/{ref}/sessions and DELETE /users/{ref}/sessions/{id}."""

import jwt
import pytest

from tests.databases import query
from tests.helpers import PASSWORD, assert_problem

SESSION_FIELDS = {
    "id",
    "created_at",
    "last_used_at",
    "expires_at",
    "ip",
    "user_agent",
    "amr",
    "current",
}


def log_in(client, email="regular@example.com", **headers):
    response = client.post("/login", json={"email": email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(pair):
    return {"Authorization": f"Bearer {pair['access_token']}"}


def sid_of(pair):
    return jwt.decode(pair["access_token"], options={"verify_signature": False})["sid"]


def sessions(client, headers, ref="me"):
    response = client.get(f"/users/{ref}/sessions", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_list_shows_each_live_session_newest_first_marking_the_current(client, user):
    first = log_in(client, **{"User-Agent": "curl/8.5.0"})
    second = log_in(client)
    items = sessions(client, bearer(first))
    assert [item["id"] for item in items] == [sid_of(second), sid_of(first)]
    assert [item["current"] for item in items] == [False, True]
    item = items[1]
    assert set(item) == SESSION_FIELDS
    assert (item["ip"], item["user_agent"], item["amr"]) == ("127.0.0.1", "curl/8.5.0", ["pwd"])
    assert item["last_used_at"] == item["created_at"]
    assert item["expires_at"] > item["created_at"]


def test_list_cuts_user_agent_to_256_characters(client, user):
    pair = log_in(client, **{"User-Agent": "x" * 1000})
    [item] = sessions(client, bearer(pair))
    assert item["user_agent"] == "x" * 256


def test_list_ignores_forged_forwarded_for_without_trusted_proxy(client, user):
    pair = log_in(client, **{"X-Forwarded-For": "203.0.113.5"})
    assert sessions(client, bearer(pair))[0]["ip"] == "127.0.0.1"


@pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 1}], indirect=True)
def test_list_takes_address_from_trusted_proxy(client, user):
    pair = log_in(client, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.5"})
    assert sessions(client, bearer(pair))[0]["ip"] == "203.0.113.5"


def test_refresh_moves_last_used_at_and_requests_do_not(client, user, settings):
    pair = log_in(client)

    def last_used():  # as stored, with microseconds (the API shows whole seconds)
        [(moment,)] = query(
            settings["DATABASE_URL"],
            "SELECT last_used_at FROM sessions WHERE id = :id",
            {"id": sid_of(pair)},
        )
        return moment

    at_login = last_used()
    assert client.get("/users/me", headers=bearer(pair)).status_code == 200
    assert sessions(client, bearer(pair))[0]["id"] == sid_of(pair)
    assert last_used() == at_login
    new = client.post("/token/refresh", json={"refresh_token": pair["refresh_token"]}).get_json()
    assert last_used() > at_login
    assert sessions(client, bearer(new))[0]["id"] == sid_of(pair)


def test_list_leaves_out_ended_sessions(client, user):
    gone, kept = log_in(client), log_in(client)
    assert client.post("/logout", headers=bearer(gone)).status_code == 204
    assert [item["id"] for item in sessions(client, bearer(kept))] == [sid_of(kept)]


def test_list_of_another_user_is_forbidden_to_a_user(client, user, admin, user_headers):
    response = client.get(f"/users/{admin.id}/sessions", headers=user_headers)
    assert_problem(response, 403, "forbidden")


def test_admin_lists_anyones_sessions(client, user, admin_headers):
    pair = log_in(client)
    items = sessions(client, admin_headers, ref=user.id)
    assert [(item["id"], item["current"]) for item in items] == [(sid_of(pair), False)]


def test_end_session_kills_its_tokens_at_once_and_spares_others(client, user):
    doomed, kept = log_in(client), log_in(client)
    response = client.delete(f"/users/me/sessions/{sid_of(doomed)}", headers=bearer(kept))
    assert response.status_code == 204
    assert_problem(client.get("/users/me", headers=bearer(doomed)), 401, "invalid_token")
    refresh = client.post("/token/refresh", json={"refresh_token": doomed["refresh_token"]})
    assert_problem(refresh, 401, "invalid_token")
    assert client.get("/users/me", headers=bearer(kept)).status_code == 200


def test_admin_ends_a_users_session(client, user, admin_headers):
    pair = log_in(client)
    path = f"/users/{user.id}/sessions/{sid_of(pair)}"
    assert client.delete(path, headers=admin_headers).status_code == 204
    assert_problem(client.get("/users/me", headers=bearer(pair)), 401, "invalid_token")


@pytest.mark.parametrize("session_id", ["ended", "other-users", "nonexistent", "bad\x01id"])
def test_end_session_not_that_users_live_one_is_404(client, user, admin, session_id):
    mine, theirs = log_in(client), log_in(client, admin.email)
    ended = log_in(client)
    client.post("/logout", headers=bearer(ended))
    target = {"ended": sid_of(ended), "other-users": sid_of(theirs)}.get(session_id, session_id)
    response = client.delete(f"/users/me/sessions/{target}", headers=bearer(mine))
    assert_problem(response, 404, "not_found")
    assert client.get("/users/me", headers=bearer(theirs)).status_code == 200


def test_end_session_of_another_user_is_forbidden_to_a_user(client, user, admin):
    mine, theirs = log_in(client), log_in(client, admin.email)
    response = client.delete(f"/users/{admin.id}/sessions/{sid_of(theirs)}", headers=bearer(mine))
    assert_problem(response, 403, "forbidden")
    assert client.get("/users/me", headers=bearer(theirs)).status_code == 200


def test_sessions_need_a_token(client):
    assert_problem(client.get("/users/me/sessions"), 401, "unauthorized")
