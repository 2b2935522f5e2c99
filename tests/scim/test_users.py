"""/scim/v2/Users: create, read, replace, delete, and the rules REST applies too."""

import pytest

from tests.helpers import PASSWORD
from tests.scim.helpers import (
    STRONG_PASSWORD,
    USER_SCHEMA,
    assert_scim,
    assert_scim_error,
    new_user,
    patch_body,
)


def test_create_returns_201_with_the_resource(scim):
    response = scim.post("/Users", json=new_user(externalId="okta-00u1"))
    body = assert_scim(response, 201)
    assert body["schemas"] == [USER_SCHEMA]
    assert body["userName"] == "bjensen"
    assert body["displayName"] == body["name"]["formatted"] == "Barbara Jensen"
    assert body["emails"] == [{"value": "bjensen@example.com", "type": "work", "primary": True}]
    assert body["active"] is True
    assert body["externalId"] == "okta-00u1"
    assert "password" not in body
    location = f"https://users.example/scim/v2/Users/{body['id']}"
    assert body["meta"]["location"] == response.headers["Location"] == location
    assert body["meta"]["version"] == response.headers["ETag"]
    assert body["meta"]["resourceType"] == "User"


def test_create_takes_user_name_as_email_when_emails_absent(scim):
    body = assert_scim(scim.post("/Users", json={"userName": "Kim@Example.com"}), 201)
    assert body["emails"][0]["value"] == "kim@example.com"
    assert body["userName"] == "Kim@Example.com"
    assert body["displayName"] == "kim"


def test_create_without_an_email_is_invalid_value(scim):
    assert_scim_error(scim.post("/Users", json={"userName": "kim"}), 400, "invalidValue")


def test_create_names_the_user_from_given_and_family_name(scim):
    payload = new_user(name={"givenName": "Barbara", "familyName": "Jensen"})
    del payload["displayName"]
    assert assert_scim(scim.post("/Users", json=payload), 201)["displayName"] == "Barbara Jensen"


def test_create_takes_the_primary_email_of_several(scim):
    emails = [
        {"value": "home@example.com", "type": "home"},
        {"value": "work@example.com", "type": "work", "primary": True},
    ]
    body = assert_scim(scim.post("/Users", json=new_user(emails=emails)), 201)
    assert body["emails"] == [{"value": "work@example.com", "type": "work", "primary": True}]


def test_create_ignores_unknown_and_read_only_attributes(scim):
    payload = new_user(
        id="999",
        title="Boss",
        locale="hu-HU",
        meta={"version": "x"},
        **{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "IT"}},
    )
    body = assert_scim(scim.post("/Users", json=payload), 201)
    assert body["id"] != "999" and "title" not in body


def test_create_without_password_cannot_log_in(scim, client):
    scim.post("/Users", json=new_user())
    response = client.post("/login", json={"email": "bjensen@example.com", "password": "!"})
    assert response.status_code == 401


def test_create_with_password_can_log_in(scim, client):
    scim.post("/Users", json=new_user(password=STRONG_PASSWORD))
    response = client.post(
        "/login", json={"email": "bjensen@example.com", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200


def test_create_with_a_weak_password_is_invalid_value(scim):
    response = scim.post("/Users", json=new_user(password="password"))
    assert_scim_error(response, 400, "invalidValue")


@pytest.mark.parametrize("user_name", ["BJENSEN", "bjensen", "ｂｊｅｎｓｅｎ"])
def test_create_with_a_taken_user_name_is_uniqueness(scim, created, user_name):
    payload = new_user(userName=user_name, emails=[{"value": "other@example.com"}])
    assert_scim_error(scim.post("/Users", json=payload), 409, "uniqueness")


def test_create_with_a_user_name_another_user_answers_to_by_email_is_uniqueness(scim, user):
    payload = new_user(userName="Regular@example.com", emails=[{"value": "new@example.com"}])
    assert_scim_error(scim.post("/Users", json=payload), 409, "uniqueness")


def test_register_with_an_email_a_user_answers_to_by_user_name_is_email_taken(scim, client):
    scim.post("/Users", json=new_user(userName="kim@example.com"))
    response = client.post(
        "/users", json={"name": "Kim", "email": "KIM@example.com", "password": PASSWORD}
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "email_taken"


def test_create_with_a_taken_email_is_uniqueness(scim, user):
    payload = new_user(emails=[{"value": "regular@example.com"}])
    assert_scim_error(scim.post("/Users", json=payload), 409, "uniqueness")


def test_create_with_a_taken_external_id_is_uniqueness(scim):
    scim.post("/Users", json=new_user(externalId="x1"))
    payload = new_user(userName="other", emails=[{"value": "o@example.com"}], externalId="x1")
    assert_scim_error(scim.post("/Users", json=payload), 409, "uniqueness")


def test_user_created_outside_scim_shows_its_email_as_user_name(scim, user):
    body = assert_scim(scim.get(f"/Users/{user.id}"))
    assert body["userName"] == "regular@example.com"


def test_get_unknown_user_is_404(scim):
    assert_scim_error(scim.get("/Users/999999"), 404)
    assert_scim_error(scim.get("/Users/not-a-number"), 404)


def test_get_with_the_current_etag_is_304(scim, created):
    response = scim.get(
        f"/Users/{created['id']}", headers={"If-None-Match": created["meta"]["version"]}
    )
    assert response.status_code == 304
    assert response.headers["ETag"] == created["meta"]["version"]
    assert response.get_data() == b""


def test_put_replaces_names_and_keeps_active_and_external_id(scim):
    first = assert_scim(scim.post("/Users", json=new_user(externalId="e1", active=False)), 201)
    payload = {
        "userName": "barbara",
        "emails": [{"value": "barbara@example.com"}],
        "displayName": "Barbara J",
    }
    body = assert_scim(scim.put(f"/Users/{first['id']}", json=payload))
    assert (body["userName"], body["displayName"]) == ("barbara", "Barbara J")
    assert (body["active"], body["externalId"]) == (False, "e1")
    assert body["meta"]["version"] != first["meta"]["version"]


def test_put_with_a_stale_if_match_is_412_and_changes_nothing(scim, created):
    path = f"/Users/{created['id']}"
    scim.patch(path, json=patch_body({"op": "replace", "path": "displayName", "value": "B"}))
    response = scim.put(
        path, json=new_user(displayName="Stale"), headers={"If-Match": created["meta"]["version"]}
    )
    assert_scim_error(response, 412)
    assert scim.get(path).get_json()["displayName"] == "B"


def test_put_with_the_current_if_match_succeeds(scim, created):
    response = scim.put(
        f"/Users/{created['id']}",
        json=new_user(displayName="Fresh"),
        headers={"If-Match": created["meta"]["version"]},
    )
    assert assert_scim(response)["displayName"] == "Fresh"


def test_delete_removes_the_user(scim, created):
    assert scim.delete(f"/Users/{created['id']}").status_code == 204
    assert_scim_error(scim.get(f"/Users/{created['id']}"), 404)


def test_delete_with_a_stale_if_match_is_412(scim, created):
    response = scim.delete(f"/Users/{created['id']}", headers={"If-Match": '"stale"'})
    assert_scim_error(response, 412)


def test_deactivating_the_last_admin_is_mutability(scim, admin):
    body = patch_body({"op": "replace", "path": "active", "value": False})
    assert_scim_error(scim.patch(f"/Users/{admin.id}", json=body), 400, "mutability")


def test_deleting_the_last_admin_is_mutability(scim, admin):
    assert_scim_error(scim.delete(f"/Users/{admin.id}"), 400, "mutability")


def test_deactivation_ends_the_users_sessions(scim, user, user_headers, client):
    body = patch_body({"op": "replace", "path": "active", "value": False})
    assert_scim(scim.patch(f"/Users/{user.id}", json=body))
    assert client.get("/users/me", headers=user_headers).status_code == 401


def test_password_change_ends_the_users_sessions(scim, user, user_headers, client):
    body = patch_body({"op": "replace", "path": "password", "value": STRONG_PASSWORD})
    assert_scim(scim.patch(f"/Users/{user.id}", json=body))
    assert client.get("/users/me", headers=user_headers).status_code == 401


def test_changes_record_scim_audit_events_with_the_key_owner_as_actor(scim, admin, caplog):
    caplog.set_level("INFO", logger="app.security")
    created = scim.post("/Users", json=new_user()).get_json()
    scim.patch(
        f"/Users/{created['id']}",
        json=patch_body({"op": "replace", "path": "displayName", "value": "B"}),
    )
    scim.delete(f"/Users/{created['id']}")
    events = {record.msg: record for record in caplog.records}
    for event in ("scim.user_created", "scim.user_updated", "scim.user_deleted"):
        assert events[event].actor_id == admin.id
        assert events[event].subject_id == int(created["id"])


def test_put_without_user_name_is_mutability(scim, created):
    payload = new_user()
    del payload["userName"]
    assert_scim_error(scim.put(f"/Users/{created['id']}", json=payload), 400, "mutability")
