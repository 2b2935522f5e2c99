"""POST /users and GET /users/{ref}: registration, the representation, addressing."""

import re

import pytest

from tests.helpers import PASSWORD, assert_problem

USER_FIELDS = {
    "id",
    "name",
    "email",
    "role",
    "is_active",
    "email_verified",
    "created_at",
    "updated_at",
}
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
HUGE_ID = "99999999999999999999999"


def register(client, headers=None, **fields):
    body = {"name": "Teszt Elek", "email": "teszt.elek@example.com", "password": PASSWORD}
    return client.post("/users", json={**body, **fields}, headers=headers)


def assert_invalid(response, *fields):
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == set(fields)
    return body


def test_register_returns_201_with_location(client):
    response = register(client)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.headers["Location"] == f"/users/{response.get_json()['id']}"


def test_register_returns_the_user_representation(client):
    body = register(client).get_json()
    assert set(body) == USER_FIELDS
    assert (body["role"], body["is_active"], body["email_verified"]) == ("user", True, False)
    assert RFC3339_UTC.fullmatch(body["created_at"])
    assert RFC3339_UTC.fullmatch(body["updated_at"])


def test_register_trims_name(client):
    assert register(client, name="  Teszt Elek \u00a0\u3000").get_json()["name"] == "Teszt Elek"


def test_register_lowercases_email(client):
    response = register(client, email="Teszt.ELEK@Example.COM")
    assert response.get_json()["email"] == "teszt.elek@example.com"


def test_register_never_returns_password(client):
    text = register(client).get_data(as_text=True)
    assert PASSWORD not in text
    assert "password" not in text and "scrypt" not in text


def test_register_user_can_log_in(client):
    register(client)
    response = client.post("/login", json={"email": "teszt.elek@example.com", "password": PASSWORD})
    assert response.status_code == 200


def test_register_keeps_password_untrimmed(client):
    register(client, password=f"  {PASSWORD}  ")
    login = {"email": "teszt.elek@example.com"}
    assert client.post("/login", json={**login, "password": PASSWORD}).status_code == 401
    assert client.post("/login", json={**login, "password": f"  {PASSWORD}  "}).status_code == 200


@pytest.mark.parametrize(
    "email",
    [
        "teszt.elek@example.com",
        "TESZT.ELEK@EXAMPLE.COM",
        "Teszt.Elek@example.com",
    ],
)
def test_register_taken_email_is_conflict(client, email):
    register(client)
    assert_problem(register(client, name="Someone Else", email=email), 409, "email_taken")


@pytest.mark.parametrize("field, value", [("role", "admin"), ("is_active", False)])
def test_register_by_admin_sets_admin_field(client, admin_headers, field, value):
    response = register(client, headers=admin_headers, **{field: value})
    assert response.status_code == 201
    assert response.get_json()[field] == value


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "user"])
@pytest.mark.parametrize(
    "field, value",
    [
        ("role", "admin"),
        ("role", "user"),
        ("is_active", True),
        ("is_active", False),
    ],
)
def test_register_admin_field_as_non_admin_is_rejected(client, user_headers, as_user, field, value):
    response = register(client, headers=user_headers if as_user else None, **{field: value})
    assert_invalid(response, field)


def test_register_rejected_admin_field_creates_no_user(client):
    register(client, role="admin")
    assert register(client).status_code == 201


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", 7),
        ("password_hash", "scrypt:1024:8:1$x$y"),
        ("created_at", "2026-11-22T04:00:00Z"),
        ("updated_at", "2026-11-22T04:00:00Z"),
        ("email_verified", True),
        ("nickname", "Elek"),
    ],
)
@pytest.mark.parametrize("as_admin", [False, True], ids=["anonymous", "admin"])
def test_register_field_nobody_may_set_is_rejected(client, admin_headers, as_admin, field, value):
    response = register(client, headers=admin_headers if as_admin else None, **{field: value})
    assert_invalid(response, field)


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer two tokens",
        "Token abc",
    ],
)
def test_register_with_malformed_authorization_is_unauthorized(client, authorization):
    response = register(client, headers={"Authorization": authorization})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_register_with_invalid_token_is_rejected(client):
    response = register(client, headers={"Authorization": "Bearer not.a.jwt"})
    assert_problem(response, 401, "invalid_token")


def test_get_user_without_token_is_unauthorized(client, user):
    response = client.get(f"/users/{user.id}")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_get_user_returns_the_representation(client, user, user_headers):
    response = client.get("/users/me", headers=user_headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert set(response.get_json()) == USER_FIELDS


@pytest.mark.parametrize(
    "ref",
    [
        "me",
        "{id}",
        "regular@example.com",
        "REGULAR@Example.COM",
    ],
)
def test_get_self_by_any_ref(client, user, user_headers, ref):
    response = client.get(f"/users/{ref.format(id=user.id)}", headers=user_headers)
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id


@pytest.mark.parametrize("ref", ["{id}", "{email}", "{upper_email}"])
def test_get_other_user_as_admin(client, make_user, admin_headers, ref):
    other = make_user(email="tagged+list@example.com")
    path = ref.format(id=other.id, email=other.email, upper_email=other.email.upper())
    response = client.get(f"/users/{path}", headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["email"] == "tagged+list@example.com"


@pytest.mark.parametrize(
    "ref",
    [
        "{id}",
        "{email}",
        "424242",
        "nobody@example.com",
        HUGE_ID,
        str(2**63),
        "0",
        "-1",
        "junk",
        "1.5",
        "@",
    ],
)
def test_get_other_user_as_non_admin_is_forbidden(client, make_user, user_headers, ref):
    other = make_user()
    response = client.get(
        f"/users/{ref.format(id=other.id, email=other.email)}", headers=user_headers
    )
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    "ref",
    [
        "424242",
        "nobody@example.com",
        HUGE_ID,
        str(2**63),
        "0",
        "-1",
        "junk",
        "1.5",
        "@",
        "a%00b@example.com",
        "a%0Ab@example.com",
    ],
)
def test_get_unknown_user_as_admin_is_not_found(client, admin_headers, ref):
    assert_problem(client.get(f"/users/{ref}", headers=admin_headers), 404, "not_found")


def test_get_user_with_id_too_long_for_int_as_admin_is_not_found(client, admin_headers):
    assert_problem(client.get(f"/users/{'9' * 5000}", headers=admin_headers), 404, "not_found")


def test_get_user_with_id_too_long_for_int_as_non_admin_is_forbidden(client, user_headers):
    assert_problem(client.get(f"/users/{'9' * 5000}", headers=user_headers), 403, "forbidden")
