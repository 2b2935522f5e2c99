"""API keys: creating, listing, revoking, and what a key may do (contract "API keys")."""

import re
from datetime import timedelta

import pytest

from app.database import get_db
from app.models import utcnow
from app.repositories import api_keys as keys_repo
from tests.api_key_helpers import bearer, create_key
from tests.helpers import PASSWORD, assert_problem
from tests.mfa_helpers import age_session, session_id_of

KEY = re.compile(r"usk_[A-Za-z0-9]{40,}")
LISTED_FIELDS = {"id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at"}


def test_create_api_key_returns_the_key_once(client, user_headers):
    response = client.post(
        "/users/me/api-keys",
        headers=user_headers,
        json={"name": "CI job", "scopes": ["users:read"]},
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == LISTED_FIELDS | {"key"}
    assert KEY.fullmatch(body["key"])
    assert body["prefix"] == body["key"][:12]
    assert (body["scopes"], body["expires_at"], body["last_used_at"]) == (
        ["users:read"],
        None,
        None,
    )
    listed = client.get("/users/me/api-keys", headers=user_headers)
    assert body["key"] not in listed.get_data(as_text=True)
    assert [set(item) for item in listed.get_json()["items"]] == [LISTED_FIELDS]


def test_create_api_key_stores_only_a_hash(app, client, user_headers):
    key = create_key(client, user_headers)["key"]
    with app.app_context():
        rows = get_db().execute("SELECT * FROM api_keys").fetchall()
    assert all(key not in str(value) for row in rows for value in dict(row).values())


def test_create_api_key_sets_expiry(client, user_headers):
    body = create_key(client, user_headers, expires_in_days=30)
    created = body["created_at"]
    assert body["expires_at"] > created


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "scopes": "users:read"}, "scopes"),
        ({"name": " ", "scopes": ["users:read"]}, "name"),
        ({"scopes": ["users:read"]}, "name"),
        ({"name": "x", "scopes": ["users:read"], "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "scopes": ["users:read"], "expires_in_days": 366}, "expires_in_days"),
        ({"name": "x", "scopes": ["users:read"], "expires_in_days": 1.5}, "expires_in_days"),
        ({"name": "x", "scopes": ["users:read"], "key": "usk_" + "a" * 40}, "key"),
    ],
)
def test_create_api_key_rejects_bad_body(client, user_headers, body, field):
    response = client.post("/users/me/api-keys", headers=user_headers, json=body)
    assert field in assert_problem(response, 422, "validation_error")["errors"]


def test_create_api_key_with_unknown_scope_names_it_in_a_flat_list(client, user_headers):
    body = {"name": "x", "scopes": ["users:read", "admin"]}
    response = client.post("/users/me/api-keys", headers=user_headers, json=body)
    errors = assert_problem(response, 422, "validation_error")["errors"]
    assert errors == {"scopes": ["Must be one of: users:read, users:write, scim."]}


def test_create_scim_key_refused_to_non_admin(client, user_headers):
    response = client.post(
        "/users/me/api-keys", headers=user_headers, json={"name": "idp", "scopes": ["scim"]}
    )
    assert "scopes" in assert_problem(response, 422, "validation_error")["errors"]


def test_create_scim_key_allowed_to_admin(client, admin_headers):
    assert create_key(client, admin_headers, scopes=["scim"])["scopes"] == ["scim"]


def test_create_api_key_over_twenty_live_is_409(client, user_headers):
    for _ in range(20):
        create_key(client, user_headers)
    response = client.post(
        "/users/me/api-keys",
        headers=user_headers,
        json={"name": "one more", "scopes": ["users:read"]},
    )
    assert_problem(response, 409, "too_many_api_keys")


def test_create_api_key_after_revoking_one_of_twenty(client, user_headers):
    ids = [create_key(client, user_headers)["id"] for _ in range(20)]
    assert client.delete(f"/users/me/api-keys/{ids[0]}", headers=user_headers).status_code == 204
    create_key(client, user_headers)


def test_api_key_reads_own_user(client, user, user_headers):
    key = create_key(client, user_headers)["key"]
    response = client.get("/users/me", headers=bearer(key))
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id


def test_api_key_acts_with_owners_role(client, user, admin_headers, make_user):
    other = make_user()
    key = create_key(client, admin_headers)["key"]
    assert client.get(f"/users/{other.id}", headers=bearer(key)).status_code == 200
    assert client.get("/users", headers=bearer(key)).status_code == 200


def test_read_key_cannot_write(client, user_headers):
    key = create_key(client, user_headers)["key"]
    response = client.patch("/users/me", headers=bearer(key), json={"name": "New Name"})
    assert_problem(response, 403, "insufficient_scope")


def test_write_key_can_write_and_read(client, user_headers):
    key = create_key(client, user_headers, scopes=["users:write"])["key"]
    response = client.patch("/users/me", headers=bearer(key), json={"name": "New Name"})
    assert response.get_json()["name"] == "New Name"
    assert client.get("/users/me", headers=bearer(key)).status_code == 200


def test_scim_key_cannot_use_users_routes(client, admin_headers):
    key = create_key(client, admin_headers, scopes=["scim"])["key"]
    assert_problem(client.get("/users/me", headers=bearer(key)), 403, "insufficient_scope")


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/users/me/api-keys", None),
        ("POST", "/users/me/api-keys", {"name": "x", "scopes": ["users:read"]}),
        ("DELETE", "/users/me/api-keys/1", None),
        ("POST", "/logout", {}),
    ],
)
def test_api_key_never_manages_credentials(client, user_headers, method, path, body):
    key = create_key(client, user_headers, scopes=["users:write"])["key"]
    response = client.open(path, method=method, headers=bearer(key), json=body)
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    "body",
    [
        {"password": "a brand new passphrase 123"},
        {"password": "a brand new passphrase 123", "current_password": PASSWORD},
        {"current_password": PASSWORD},
        {"email": "elsewhere@example.com"},
    ],
)
def test_api_key_cannot_change_credentials(client, user_headers, body):
    key = create_key(client, user_headers, scopes=["users:write"])["key"]
    response = client.patch("/users/me", headers=bearer(key), json=body)
    assert_problem(response, 403, "forbidden")
    assert client.get("/users/me", headers=user_headers).get_json()["email"] == (
        "regular@example.com"
    )


def test_api_key_may_resend_same_email(client, user_headers):
    key = create_key(client, user_headers, scopes=["users:write"])["key"]
    response = client.put(
        "/users/me",
        headers=bearer(key),
        json={"name": "Regular User", "email": "Regular@Example.com"},
    )
    assert response.status_code == 200


def test_revoked_api_key_is_invalid_at_once(client, user_headers):
    created = create_key(client, user_headers)
    assert (
        client.delete(f"/users/me/api-keys/{created['id']}", headers=user_headers).status_code
        == 204
    )
    assert_problem(client.get("/users/me", headers=bearer(created["key"])), 401, "invalid_token")
    assert client.get("/users/me/api-keys", headers=user_headers).get_json()["items"] == []


def test_revoke_unknown_api_key_is_404(client, user_headers):
    assert_problem(client.delete("/users/me/api-keys/999", headers=user_headers), 404, "not_found")


def test_revoke_other_users_key_is_404(client, user_headers, make_user, login):
    other_headers = login(make_user())
    created = create_key(client, other_headers)
    response = client.delete(f"/users/me/api-keys/{created['id']}", headers=user_headers)
    assert_problem(response, 404, "not_found")
    assert client.get("/users/me", headers=bearer(created["key"])).status_code == 200


def test_admin_lists_and_revokes_others_keys(client, user, user_headers, admin_headers):
    created = create_key(client, user_headers)
    listed = client.get(f"/users/{user.id}/api-keys", headers=admin_headers).get_json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    response = client.delete(f"/users/{user.id}/api-keys/{created['id']}", headers=admin_headers)
    assert response.status_code == 204
    assert_problem(client.get("/users/me", headers=bearer(created["key"])), 401, "invalid_token")


def test_user_cannot_list_others_keys(client, admin, user_headers):
    assert_problem(
        client.get(f"/users/{admin.id}/api-keys", headers=user_headers), 403, "forbidden"
    )


@pytest.mark.parametrize("key", ["usk_" + "A" * 43, "usk_", "usk_\u00e9t\u00e9"])
def test_unknown_api_key_is_invalid(client, user, key):
    assert_problem(client.get("/users/me", headers=bearer(key)), 401, "invalid_token")


def test_expired_api_key_is_invalid(app, client, user_headers):
    created = create_key(client, user_headers, expires_in_days=1)
    with app.app_context():
        conn = get_db()
        conn.execute(
            "UPDATE api_keys SET expires_at = :past WHERE id = :id",
            {"past": "2000-01-01T00:00:00.000000Z", "id": created["id"]},
        )
        conn.commit()
    assert_problem(client.get("/users/me", headers=bearer(created["key"])), 401, "invalid_token")


def test_api_key_of_deactivated_user_is_invalid(client, user, user_headers, admin_headers):
    key = create_key(client, user_headers)["key"]
    client.patch(f"/users/{user.id}", headers=admin_headers, json={"is_active": False})
    assert_problem(client.get("/users/me", headers=bearer(key)), 401, "invalid_token")


def test_api_key_of_deleted_user_is_invalid(client, user, user_headers, admin_headers):
    key = create_key(client, user_headers)["key"]
    assert client.delete(f"/users/{user.id}", headers=admin_headers).status_code == 204
    assert_problem(client.get("/users/me", headers=bearer(key)), 401, "invalid_token")


def test_api_key_survives_password_change(client, user_headers):
    key = create_key(client, user_headers)["key"]
    response = client.patch(
        "/users/me",
        headers=user_headers,
        json={"password": "a brand new passphrase 123", "current_password": PASSWORD},
    )
    assert response.status_code == 200
    assert client.get("/users/me", headers=bearer(key)).status_code == 200


def test_demoted_admin_key_loses_admin_routes(client, admin, admin_headers, make_user, login):
    key = create_key(client, admin_headers)["key"]
    other_admin_headers = login(make_user(role="admin"))
    client.patch(f"/users/{admin.id}", headers=other_admin_headers, json={"role": "user"})
    assert_problem(client.get("/users", headers=bearer(key)), 403, "forbidden")


def test_last_used_at_written_at_most_once_a_minute(app, client, user_headers):
    created = create_key(client, user_headers)
    client.get("/users/me", headers=bearer(created["key"]))
    with app.app_context():
        first = keys_repo.list_unrevoked(get_db(), created["id"] and 1)[0].last_used_at
        conn = get_db()
        conn.execute("UPDATE api_keys SET last_used_at = :t", {"t": "2000-01-01T00:00:00.000000Z"})
        conn.commit()
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    client.get("/users/me", headers=bearer(created["key"]))
    listed = client.get("/users/me/api-keys", headers=user_headers).get_json()["items"][0]
    assert listed["last_used_at"] > "2001"
    again = client.get("/users/me/api-keys", headers=user_headers).get_json()["items"][0]
    client.get("/users/me", headers=bearer(created["key"]))
    after = client.get("/users/me/api-keys", headers=user_headers).get_json()["items"][0]
    assert after["last_used_at"] == again["last_used_at"]


def test_create_api_key_needs_recent_authentication(app, client, user_headers):
    age_session(app, session_id_of(user_headers), 301)
    response = client.post(
        "/users/me/api-keys",
        headers=user_headers,
        json={"name": "CI job", "scopes": ["users:read"]},
    )
    assert_problem(response, 403, "reauthentication_required")
    assert (
        client.post("/reauth", headers=user_headers, json={"password": PASSWORD}).status_code == 204
    )
    create_key(client, user_headers)
