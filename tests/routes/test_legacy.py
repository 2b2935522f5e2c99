"""The deprecated routes: /user/{id} and /search, under the new rules."""

import pytest

from tests.helpers import PASSWORD, assert_problem


def assert_deprecated(response, successor):
    assert response.headers["Deprecation"] == "true"
    link = response.headers["Link"]
    assert f"<{successor}>" in link
    assert 'rel="successor-version"' in link


def assert_invalid(response, field):
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {field}


def test_legacy_get_user_returns_same_as_new_route(client, user, user_headers):
    response = client.get(f"/user/{user.id}", headers=user_headers)
    assert response.status_code == 200
    assert response.get_json() == client.get(f"/users/{user.id}", headers=user_headers).get_json()
    assert_deprecated(response, f"/users/{user.id}")


def test_legacy_get_other_user_as_admin(client, user, admin_headers):
    response = client.get(f"/user/{user.id}", headers=admin_headers)
    assert response.get_json()["email"] == "regular@example.com"


def test_legacy_get_user_without_token_is_unauthorized(client, user):
    response = client.get(f"/user/{user.id}")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_deprecated(response, f"/users/{user.id}")


def test_legacy_get_user_with_bad_token_is_rejected(client, user):
    response = client.get(f"/user/{user.id}", headers={"Authorization": "Bearer x.y.z"})
    assert_problem(response, 401, "invalid_token")


@pytest.mark.parametrize("ref", ["{id}", "424242", "99999999999999999999999", "junk"])
def test_legacy_get_other_user_as_non_admin_is_forbidden(client, admin, user_headers, ref):
    response = client.get(f"/user/{ref.format(id=admin.id)}", headers=user_headers)
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("ref", ["424242", "99999999999999999999999", "junk"])
def test_legacy_get_unknown_user_as_admin_is_not_found(client, admin_headers, ref):
    response = client.get(f"/user/{ref}", headers=admin_headers)
    assert_problem(response, 404, "not_found")
    assert_deprecated(response, f"/users/{ref}")


def test_legacy_put_user_replaces_name_and_email(client, user, user_headers):
    body = {"name": " Renamed ", "email": "Renamed@Example.com", "current_password": PASSWORD}
    response = client.put(f"/user/{user.id}", json=body, headers=user_headers)
    assert response.status_code == 200
    assert (response.get_json()["name"], response.get_json()["email"]) == (
        "Renamed",
        "renamed@example.com",
    )
    assert_deprecated(response, f"/users/{user.id}")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Renamed"}, "email"),
        ({"email": "renamed@example.com"}, "name"),
        ({"name": "", "email": "renamed@example.com"}, "name"),
        ({"name": "Renamed", "email": "not-an-address"}, "email"),
        ({"name": "Renamed", "email": "renamed@example.com", "role": "admin"}, "role"),
        ({"name": "Renamed", "email": "renamed@example.com", "id": 5}, "id"),
        (
            {
                "name": "Renamed",
                "email": "renamed@example.com",
                "password": "short",
                "current_password": PASSWORD,
            },
            "password",
        ),
    ],
)
def test_legacy_put_invalid_body_is_rejected(client, user, user_headers, body, field):
    response = client.put(f"/user/{user.id}", json=body, headers=user_headers)
    assert_invalid(response, field)
    assert_deprecated(response, f"/users/{user.id}")


def test_legacy_put_own_password_needs_current_password(client, user, user_headers):
    body = {"name": user.name, "email": user.email, "password": "a brand new passphrase"}
    assert_invalid(
        client.put(f"/user/{user.id}", json=body, headers=user_headers), "current_password"
    )


def test_legacy_put_taken_email_is_conflict(client, admin, user, user_headers):
    body = {"name": user.name, "email": admin.email.upper(), "current_password": PASSWORD}
    assert_problem(
        client.put(f"/user/{user.id}", json=body, headers=user_headers), 409, "email_taken"
    )


def test_legacy_put_other_user_as_non_admin_is_forbidden(client, admin, user_headers):
    body = {"name": "Hacked", "email": "hacked@example.com"}
    assert_problem(
        client.put(f"/user/{admin.id}", json=body, headers=user_headers), 403, "forbidden"
    )


def test_legacy_put_non_json_body_is_unsupported(client, user, user_headers):
    response = client.put(
        f"/user/{user.id}",
        data="name=x",
        headers=user_headers,
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_legacy_delete_user_returns_204_and_revokes_tokens(client, user, user_headers):
    response = client.delete(f"/user/{user.id}", headers=user_headers)
    assert response.status_code == 204
    assert_deprecated(response, f"/users/{user.id}")
    assert_problem(client.get("/users/me", headers=user_headers), 401, "invalid_token")


def test_legacy_delete_other_user_as_non_admin_is_forbidden(client, admin, user_headers):
    assert_problem(client.delete(f"/user/{admin.id}", headers=user_headers), 403, "forbidden")


def test_legacy_delete_last_admin_is_conflict(client, admin, admin_headers):
    assert_problem(client.delete(f"/user/{admin.id}", headers=admin_headers), 409, "last_admin")


@pytest.mark.parametrize("method", ["patch", "post"])
def test_legacy_user_other_method_is_not_allowed(client, user, user_headers, method):
    response = getattr(client, method)(f"/user/{user.id}", json={"name": "x"}, headers=user_headers)
    assert_problem(response, 405, "method_not_allowed")
    allowed = {item.strip() for item in response.headers["Allow"].split(",")}
    assert {"GET", "PUT", "DELETE"} <= allowed
    assert method.upper() not in allowed


@pytest.fixture
def searchable(make_user):
    """Three users whose name or email contains "kovacs" in some case, and one other."""
    return [
        make_user(name="Anna KOVACS", email="anna@example.com"),
        make_user(name="Béla Kovacs", email="bela@example.com"),
        make_user(name="Cecil", email="KOVACS.cecil@example.com"),
        make_user(name="Dénes Nagy", email="denes@example.com"),
    ]


def test_legacy_search_returns_matching_users(client, searchable, admin_headers):
    response = client.get("/search?name=KovAcs", headers=admin_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "next_cursor"}
    assert [item["id"] for item in body["items"]] == [u.id for u in searchable[:3]]
    assert body["next_cursor"] is None


@pytest.mark.parametrize("name", ["kovacs", "KOVÁCS", "example", "zzz-no-match", "ba"])
def test_legacy_search_equals_listing_with_q(client, searchable, admin_headers, name):
    legacy = client.get("/search", query_string={"name": name}, headers=admin_headers)
    listing = client.get("/users", query_string={"q": name}, headers=admin_headers)
    assert legacy.status_code == listing.status_code == 200
    assert legacy.get_json() == listing.get_json()


def test_legacy_search_carries_deprecation_headers(client, admin_headers):
    assert_deprecated(client.get("/search?name=x", headers=admin_headers), "/users")


def test_legacy_search_pages_with_cursor(client, searchable, admin_headers):
    first = client.get("/search?name=kovacs&limit=1", headers=admin_headers).get_json()
    cursor = first["next_cursor"]
    second = client.get(
        "/search",
        query_string={"name": "kovacs", "limit": 1, "cursor": cursor},
        headers=admin_headers,
    ).get_json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [u.id for u in searchable[:2]]


@pytest.mark.parametrize(
    "query, field",
    [
        ("name=kovacs&limit=0", "limit"),
        ("name=kovacs&limit=101", "limit"),
        ("name=kovacs&limit=ten", "limit"),
        ("name=", "name"),
        ("name=kovacs&q=x", "q"),
    ],
)
def test_legacy_search_bad_query_is_rejected(client, admin_headers, query, field):
    response = client.get(f"/search?{query}", headers=admin_headers)
    assert_invalid(response, field)
    assert_deprecated(response, "/users")


def test_legacy_search_bad_cursor_is_rejected(client, admin_headers):
    response = client.get("/search?name=kovacs&cursor=tampered", headers=admin_headers)
    assert_problem(response, 400, "invalid_cursor")


def test_legacy_search_as_non_admin_is_forbidden(client, user_headers):
    response = client.get("/search?name=x", headers=user_headers)
    assert_problem(response, 403, "forbidden")
    assert_deprecated(response, "/users")


def test_legacy_search_without_token_is_unauthorized(client):
    response = client.get("/search?name=x")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_legacy_routes_never_return_password(client, user, user_headers):
    text = client.get(f"/user/{user.id}", headers=user_headers).get_data(as_text=True)
    assert PASSWORD not in text and "password" not in text
