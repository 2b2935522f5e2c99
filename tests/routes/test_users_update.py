"""PUT, PATCH and DELETE /users/{ref}: changes, passwords, admin fields, the last admin."""

import pytest

from app.database import get_db, transaction
from app.models import utcnow
from app.repositories import users as users_repo
from tests.helpers import PASSWORD, assert_problem

NEW_PASSWORD = "a brand new passphrase 2026"
HUGE_ID = "99999999999999999999999"


@pytest.fixture
def set_columns(app):
    """Change a user's columns directly in the database, bypassing the API."""

    def set_(user, **changes):
        with app.app_context(), transaction(get_db()) as conn:
            users_repo.update(conn, user.id, changes=changes, now=utcnow())

    return set_


def assert_invalid(response, field):
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {field}


def log_in(client, email, password):
    return client.post("/login", json={"email": email, "password": password})


def test_put_replaces_name_and_email(client, user_headers):
    body = {"name": "  New Name ", "email": "New.Address@Example.com", "current_password": PASSWORD}
    response = client.put("/users/me", json=body, headers=user_headers)
    assert response.status_code == 200
    assert response.get_json()["name"] == "New Name"
    assert response.get_json()["email"] == "new.address@example.com"


@pytest.mark.parametrize("missing", ["name", "email"])
def test_put_without_required_field_is_rejected(client, user_headers, missing):
    body = {"name": "New Name", "email": "new@example.com"}
    del body[missing]
    assert_invalid(client.put("/users/me", json=body, headers=user_headers), missing)


def test_put_without_password_keeps_password(client, user_headers):
    client.put(
        "/users/me",
        json={"name": "N", "email": "new@example.com", "current_password": PASSWORD},
        headers=user_headers,
    )
    assert log_in(client, "new@example.com", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "change, kept",
    [
        ({"name": "Changed Name"}, {"email": "regular@example.com"}),
        ({"email": "changed@example.com", "current_password": PASSWORD}, {"name": "Regular User"}),
        ({}, {"name": "Regular User", "email": "regular@example.com"}),
    ],
)
def test_patch_changes_only_given_fields(client, user_headers, change, kept):
    response = client.patch("/users/me", json=change, headers=user_headers)
    assert response.status_code == 200
    change = {key: value for key, value in change.items() if key != "current_password"}
    assert response.get_json() | change | kept == response.get_json()


def test_patch_trims_name_and_lowercases_email(client, user_headers):
    body = {"name": " Trimmed \u3000", "email": "MiXeD@Example.COM", "current_password": PASSWORD}
    got = client.patch("/users/me", json=body, headers=user_headers).get_json()
    assert (got["name"], got["email"]) == ("Trimmed", "mixed@example.com")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_change_email_resets_email_verified(client, user, user_headers, set_columns, method):
    set_columns(user, email_verified=True)
    assert client.get("/users/me", headers=user_headers).get_json()["email_verified"] is True
    body = {"name": user.name, "email": "other.address@example.com", "current_password": PASSWORD}
    response = getattr(client, method)("/users/me", json=body, headers=user_headers)
    assert response.get_json()["email_verified"] is False


def test_patch_same_email_in_other_case_keeps_email_verified(
    client, user, user_headers, set_columns
):
    set_columns(user, email_verified=True)
    response = client.patch(
        "/users/me", json={"email": "REGULAR@example.com"}, headers=user_headers
    )
    assert response.get_json()["email_verified"] is True


@pytest.mark.parametrize("method", ["put", "patch"])
def test_change_email_to_taken_one_is_conflict(client, admin, user_headers, method):
    body = {"name": "Regular User", "email": "ADMIN@example.com", "current_password": PASSWORD}
    response = getattr(client, method)("/users/me", json=body, headers=user_headers)
    assert_problem(response, 409, "email_taken")


@pytest.mark.parametrize("current", [None, "wrong password entirely", PASSWORD.upper()])
@pytest.mark.parametrize("who", ["user", "admin"])
def test_change_own_password_without_right_current_password_is_rejected(
    client, user_headers, admin_headers, who, current
):
    body = {"password": NEW_PASSWORD} | ({} if current is None else {"current_password": current})
    headers = user_headers if who == "user" else admin_headers
    assert_invalid(client.patch("/users/me", json=body, headers=headers), "current_password")


def test_change_own_password_with_current_password_logs_in_with_new(client, user, user_headers):
    body = {"password": NEW_PASSWORD, "current_password": PASSWORD}
    assert client.patch("/users/me", json=body, headers=user_headers).status_code == 200
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 200
    assert_problem(log_in(client, user.email, PASSWORD), 401, "invalid_credentials")


def test_change_own_password_revokes_old_access_tokens(client, user, login, user_headers):
    other_session = login(user)
    body = {"password": NEW_PASSWORD, "current_password": PASSWORD}
    client.patch("/users/me", json=body, headers=user_headers)
    for headers in (user_headers, other_session):
        assert_problem(client.get("/users/me", headers=headers), 401, "invalid_token")


def test_put_own_password_with_current_password_changes_it(client, user, user_headers):
    body = {
        "name": user.name,
        "email": user.email,
        "password": NEW_PASSWORD,
        "current_password": PASSWORD,
    }
    assert client.put("/users/me", json=body, headers=user_headers).status_code == 200
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 200


def test_change_other_password_as_admin_needs_no_current_password(
    client, user, user_headers, admin_headers
):
    response = client.patch(
        f"/users/{user.id}", json={"password": NEW_PASSWORD}, headers=admin_headers
    )
    assert response.status_code == 200
    assert log_in(client, user.email, NEW_PASSWORD).status_code == 200
    assert_problem(client.get("/users/me", headers=user_headers), 401, "invalid_token")


@pytest.mark.parametrize(
    "method, body",
    [
        ("patch", {"role": "admin"}),
        ("patch", {"role": "user"}),
        ("patch", {"is_active": False}),
        ("patch", {"is_active": True}),
        ("put", {"name": "Regular User", "email": "regular@example.com", "role": "admin"}),
        ("put", {"name": "Regular User", "email": "regular@example.com", "is_active": True}),
    ],
)
def test_change_admin_field_as_non_admin_is_rejected(client, user_headers, method, body):
    response = getattr(client, method)("/users/me", json=body, headers=user_headers)
    assert_invalid(response, "role" if "role" in body else "is_active")


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", 99),
        ("password_hash", "x"),
        ("created_at", "2026-11-22T04:00:00Z"),
        ("updated_at", "2026-11-22T04:00:00Z"),
        ("email_verified", True),
        ("nickname", "Elek"),
    ],
)
def test_patch_field_nobody_may_set_is_rejected(client, user, admin_headers, field, value):
    response = client.patch(f"/users/{user.id}", json={field: value}, headers=admin_headers)
    assert_invalid(response, field)


def test_patch_role_as_admin_promotes_user(client, user, admin_headers, login):
    response = client.patch(f"/users/{user.id}", json={"role": "admin"}, headers=admin_headers)
    assert response.get_json()["role"] == "admin"
    assert client.get("/users", headers=login(user)).status_code == 200


def test_put_is_active_as_admin_deactivates_user(client, user, admin_headers):
    response = client.put(
        f"/users/{user.id}",
        headers=admin_headers,
        json={"name": user.name, "email": user.email, "is_active": False},
    )
    assert response.get_json()["is_active"] is False


def test_get_me_with_token_of_deactivated_user_is_rejected(
    client, user, user_headers, admin_headers
):
    client.patch(f"/users/{user.id}", json={"is_active": False}, headers=admin_headers)
    assert_problem(client.get("/users/me", headers=user_headers), 401, "invalid_token")


def test_get_me_with_token_of_user_deactivated_in_database_is_rejected(
    client, user, user_headers, set_columns
):
    set_columns(user, is_active=False)
    assert_problem(client.get("/users/me", headers=user_headers), 401, "invalid_token")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "ref", ["{id}", "{email}", "424242", "nobody@example.com", HUGE_ID, "junk"]
)
def test_change_other_user_as_non_admin_is_forbidden(client, make_user, user_headers, method, ref):
    other = make_user()
    path = f"/users/{ref.format(id=other.id, email=other.email)}"
    body = None if method == "delete" else {"name": "Hacked", "email": "hacked@example.com"}
    assert_problem(getattr(client, method)(path, json=body, headers=user_headers), 403, "forbidden")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("ref", ["424242", "nobody@example.com", HUGE_ID, "junk", "0"])
def test_change_unknown_user_as_admin_is_not_found(client, admin_headers, method, ref):
    body = None if method == "delete" else {"name": "Nobody", "email": "nobody@example.com"}
    response = getattr(client, method)(f"/users/{ref}", json=body, headers=admin_headers)
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("ref", ["me", "{id}", "regular@example.com"])
def test_delete_self_returns_204(client, user, user_headers, ref):
    response = client.delete(f"/users/{ref.format(id=user.id)}", headers=user_headers)
    assert response.status_code == 204
    assert response.get_data() == b""


def test_delete_user_revokes_its_tokens(client, user, user_headers, admin_headers):
    assert client.delete(f"/users/{user.id}", headers=admin_headers).status_code == 204
    assert_problem(client.get("/users/me", headers=user_headers), 401, "invalid_token")
    assert_problem(client.get(f"/users/{user.id}", headers=admin_headers), 404, "not_found")


def test_delete_other_user_as_non_admin_keeps_it(client, admin, user_headers, admin_headers):
    client.delete(f"/users/{admin.id}", headers=user_headers)
    assert client.get(f"/users/{admin.id}", headers=admin_headers).status_code == 200


LOSE_ADMIN = [
    ("delete", None),
    ("patch", {"role": "user"}),
    ("patch", {"is_active": False}),
    ("put", {"name": "Admin User", "email": "admin@example.com", "role": "user"}),
]


@pytest.mark.parametrize("method, body", LOSE_ADMIN)
def test_remove_last_admin_is_conflict(client, admin_headers, method, body):
    response = getattr(client, method)("/users/me", json=body, headers=admin_headers)
    assert_problem(response, 409, "last_admin")
    assert client.get("/users/me", headers=admin_headers).get_json()["role"] == "admin"


@pytest.mark.parametrize("method, body", LOSE_ADMIN)
def test_remove_last_active_admin_ignores_inactive_admins(
    client, make_user, admin_headers, method, body
):
    make_user(role="admin", is_active=False)
    response = getattr(client, method)("/users/me", json=body, headers=admin_headers)
    assert_problem(response, 409, "last_admin")


@pytest.mark.parametrize("method, body", LOSE_ADMIN)
def test_remove_admin_with_another_active_admin_succeeds(
    client, make_user, admin, admin_headers, method, body
):
    make_user(role="admin")
    response = getattr(client, method)(f"/users/{admin.id}", json=body, headers=admin_headers)
    assert response.status_code in (200, 204)


@pytest.mark.parametrize("body", [{"role": "admin"}, {"is_active": True}])
def test_patch_last_admin_without_losing_admin_is_allowed(client, admin_headers, body):
    assert client.patch("/users/me", json=body, headers=admin_headers).status_code == 200


def test_demote_admin_ends_its_sessions(client, make_user, admin, admin_headers):
    make_user(role="admin")
    client.patch(f"/users/{admin.id}", json={"role": "user"}, headers=admin_headers)
    assert_problem(client.get("/users", headers=admin_headers), 401, "invalid_token")


def test_list_users_with_token_of_admin_demoted_in_database_is_forbidden(
    client, admin, admin_headers, set_columns
):
    set_columns(admin, role="user")
    assert_problem(client.get("/users", headers=admin_headers), 403, "forbidden")
