"""ETag, If-None-Match and If-Match on /users/{ref} (RFC 9110 section 13)."""

import pytest

from app.database import get_db, transaction
from tests.helpers import PASSWORD, assert_problem


def etag_of(client, headers, ref="me"):
    response = client.get(f"/users/{ref}", headers=headers)
    assert response.status_code == 200
    return response.headers["ETag"]


def test_get_user_has_strong_etag(client, user_headers):
    etag = etag_of(client, user_headers)
    assert etag.startswith('"') and etag.endswith('"')


def test_etag_changes_with_each_change_within_a_second(client, user_headers):
    tags = [etag_of(client, user_headers)]
    for name in ("First Name", "Second Name"):
        client.patch("/users/me", headers=user_headers, json={"name": name})
        tags.append(etag_of(client, user_headers))
    assert len(set(tags)) == 3


def test_patch_response_carries_new_etag(client, user_headers):
    response = client.patch("/users/me", headers=user_headers, json={"name": "New Name"})
    assert response.headers["ETag"] == etag_of(client, user_headers)


@pytest.mark.parametrize("header", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_with_current_tag_is_304(client, user_headers, header):
    etag = etag_of(client, user_headers)
    response = client.get(
        "/users/me", headers={**user_headers, "If-None-Match": header.format(etag=etag)}
    )
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag


def test_if_none_match_with_old_tag_is_200(client, user_headers):
    etag = etag_of(client, user_headers)
    client.patch("/users/me", headers=user_headers, json={"name": "New Name"})
    response = client.get("/users/me", headers={**user_headers, "If-None-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["name"] == "New Name"


@pytest.mark.parametrize("header", ["{etag}", '"other", {etag}', "*"])
def test_patch_with_current_if_match_succeeds(client, user_headers, header):
    etag = etag_of(client, user_headers)
    response = client.patch(
        "/users/me",
        json={"name": "New Name"},
        headers={**user_headers, "If-Match": header.format(etag=etag)},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
@pytest.mark.parametrize("header", ['"stale"', "W/{etag}", "garbage"])
def test_write_with_stale_if_match_is_412_and_changes_nothing(client, user_headers, method, header):
    etag = etag_of(client, user_headers)
    response = client.open(
        "/users/me",
        method=method,
        json={"name": "New Name", "email": "new@example.com", "current_password": PASSWORD},
        headers={**user_headers, "If-Match": header.format(etag=etag)},
    )
    assert_problem(response, 412, "precondition_failed")
    assert etag_of(client, user_headers) == etag


def test_patch_with_tag_of_previous_version_is_412(client, user_headers):
    etag = etag_of(client, user_headers)
    client.patch("/users/me", headers=user_headers, json={"name": "Changed Meanwhile"})
    response = client.patch(
        "/users/me", json={"name": "Lost Update"}, headers={**user_headers, "If-Match": etag}
    )
    assert_problem(response, 412, "precondition_failed")
    assert client.get("/users/me", headers=user_headers).get_json()["name"] == ("Changed Meanwhile")


def test_delete_with_current_if_match_deletes(client, user, admin_headers):
    etag = etag_of(client, admin_headers, user.id)
    response = client.delete(f"/users/{user.id}", headers={**admin_headers, "If-Match": etag})
    assert response.status_code == 204
    assert client.get(f"/users/{user.id}", headers=admin_headers).status_code == 404


def test_if_match_on_missing_user_is_404(client, admin_headers):
    response = client.patch(
        "/users/999", json={"name": "x"}, headers={**admin_headers, "If-Match": "*"}
    )
    assert_problem(response, 404, "not_found")


def test_admin_change_moves_users_etag(client, user, user_headers, admin_headers):
    etag = etag_of(client, user_headers)
    client.patch(f"/users/{user.id}", headers=admin_headers, json={"role": "admin"})
    assert etag_of(client, admin_headers, user.id) != etag


def test_update_outside_the_repository_still_moves_etag(app, client, user_headers):
    """The migration's trigger bumps the revision of an UPDATE that does not itself."""
    etag = etag_of(client, user_headers)
    with app.app_context():
        conn = get_db()
        with transaction(conn):
            conn.execute("UPDATE users SET email_verified = TRUE", {})
    assert etag_of(client, user_headers) != etag
    with app.app_context():
        revisions = get_db().execute("SELECT revision FROM users", {}).fetchall()
    assert [row["revision"] for row in revisions] == [1]
