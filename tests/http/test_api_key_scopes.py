"""api_key_scope_required and route_scope (app/http/bearer_auth.py): where keys may go."""

import pytest
from flask import jsonify

from app.http.bearer_auth import CREDENTIALS, api_key_scope_required, current_user, route_scope
from tests.api_key_helpers import bearer, create_key
from tests.helpers import assert_problem


@pytest.fixture
def app(app):
    @app.get("/test-scim-only")
    @api_key_scope_required("scim")
    def scim_only():
        return jsonify(id=current_user().id)

    return app


@pytest.mark.parametrize(
    "path, method, scope",
    [
        ("/users", "GET", "users:read"),
        ("/users/<ref>", "HEAD", "users:read"),
        ("/users", "POST", "users:write"),
        ("/users/<ref>", "DELETE", "users:write"),
        ("/users/<ref>/verification-email", "POST", "users:write"),
        ("/user/<ref>", "PUT", "users:write"),
        ("/search", "GET", "users:read"),
        ("/users/<ref>/api-keys", "GET", CREDENTIALS),
        ("/users/{ref}/mfa", "GET", CREDENTIALS),
        ("/users/me/passkeys/options", "POST", CREDENTIALS),
        ("/users/<ref>/sessions/<id>", "DELETE", CREDENTIALS),
        ("/reauth", "POST", CREDENTIALS),
        ("/logout", "POST", CREDENTIALS),
        ("/scim/v2/Users", "GET", "scim"),
        ("/audit-events", "GET", None),
    ],
)
def test_route_scope_names_what_a_key_needs(path, method, scope):
    assert route_scope(path, method) == scope


def test_scope_required_without_credential_is_401(client):
    assert_problem(client.get("/test-scim-only"), 401, "unauthorized")


def test_scope_required_refuses_access_token(client, admin_headers):
    assert_problem(client.get("/test-scim-only", headers=admin_headers), 401, "invalid_token")


def test_scope_required_refuses_key_without_scope(client, admin_headers):
    key = create_key(client, admin_headers, scopes=["users:write"])["key"]
    assert_problem(client.get("/test-scim-only", headers=bearer(key)), 403, "insufficient_scope")


def test_scope_required_admits_admin_key_with_scope(client, admin, admin_headers):
    key = create_key(client, admin_headers, scopes=["scim"])["key"]
    response = client.get("/test-scim-only", headers=bearer(key))
    assert response.get_json() == {"id": admin.id}


def test_scope_required_refuses_key_of_demoted_admin(
    client, admin, admin_headers, make_user, login
):
    key = create_key(client, admin_headers, scopes=["scim"])["key"]
    client.patch(
        f"/users/{admin.id}", headers=login(make_user(role="admin")), json={"role": "user"}
    )
    assert_problem(client.get("/test-scim-only", headers=bearer(key)), 403, "forbidden")


def test_scope_required_refuses_revoked_key(client, admin_headers):
    created = create_key(client, admin_headers, scopes=["scim"])
    client.delete(f"/users/me/api-keys/{created['id']}", headers=admin_headers)
    assert_problem(
        client.get("/test-scim-only", headers=bearer(created["key"])), 401, "invalid_token"
    )
