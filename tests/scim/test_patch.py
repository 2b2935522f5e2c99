"""PATCH /Users/{id}, and the shapes Okta and Microsoft Entra ID really send."""

import pytest

from tests.scim.helpers import assert_scim, assert_scim_error, new_user, patch_body


def patch(scim, resource, *operations, **kwargs):
    return scim.patch(f"/Users/{resource['id']}", json=patch_body(*operations), **kwargs)


@pytest.mark.parametrize("op", ["replace", "Replace", "REPLACE", "add", "Add"])
def test_patch_op_names_are_case_insensitive(scim, created, op):
    body = assert_scim(patch(scim, created, {"op": op, "path": "displayName", "value": "B J"}))
    assert body["displayName"] == body["name"]["formatted"] == "B J"


def test_patch_without_path_replaces_each_member(scim, created):
    body = assert_scim(
        patch(
            scim,
            created,
            {
                "op": "replace",
                "value": {
                    "userName": "babs",
                    "name.formatted": "Babs",
                    "externalId": "e-9",
                    "title": "ignored",
                },
            },
        )
    )
    assert (body["userName"], body["displayName"], body["externalId"]) == ("babs", "Babs", "e-9")


def test_patch_remove_external_id(scim):
    resource = assert_scim(scim.post("/Users", json=new_user(externalId="e-1")), 201)
    body = assert_scim(patch(scim, resource, {"op": "remove", "path": "externalId"}))
    assert "externalId" not in body


@pytest.mark.parametrize(
    "path",
    [
        "userName",
        "displayName",
        "emails",
        "active",
        'emails[type eq "work"]',
        'emails[type eq "work"].value',
    ],
)
def test_patch_removing_what_a_user_needs_is_mutability(scim, created, path):
    assert_scim_error(patch(scim, created, {"op": "remove", "path": path}), 400, "mutability")


def test_patch_applies_all_operations_or_none(scim, created):
    response = patch(
        scim,
        created,
        {"op": "replace", "path": "displayName", "value": "Changed"},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "not an email"},
    )
    assert_scim_error(response, 400, "invalidValue")
    assert scim.get(f"/Users/{created['id']}").get_json()["displayName"] == "Barbara Jensen"


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "move", "path": "displayName", "value": "x"}, "invalidSyntax"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "replace", "path": "emails[type eq", "value": "x"}, "invalidPath"),
        ({"op": "replace", "value": "not an object"}, "invalidValue"),
        ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
    ],
)
def test_patch_bad_operation_is_400(scim, created, operation, scim_type):
    assert_scim_error(patch(scim, created, operation), 400, scim_type)


def test_patch_with_a_stale_if_match_is_412(scim, created):
    patch(scim, created, {"op": "replace", "path": "displayName", "value": "B"})
    response = patch(
        scim,
        created,
        {"op": "replace", "path": "displayName", "value": "C"},
        headers={"If-Match": created["meta"]["version"]},
    )
    assert_scim_error(response, 412)


def test_patch_to_a_taken_user_name_is_uniqueness(scim, created, user):
    response = patch(
        scim, created, {"op": "replace", "path": "userName", "value": "Regular@Example.com"}
    )
    assert_scim_error(response, 409, "uniqueness")


# --- Okta ---------------------------------------------------------------------------------


def test_okta_looks_up_by_user_name_then_creates(scim):
    lookup = assert_scim(
        scim.get(
            "/Users",
            query_string={
                "filter": 'userName eq "isabella@example.com"',
                "startIndex": 1,
                "count": 100,
            },
        )
    )
    assert (lookup["totalResults"], lookup["Resources"]) == (0, [])
    payload = {
        "schemas": [new_user()["schemas"][0]],
        "userName": "isabella@example.com",
        "name": {"givenName": "Isabella", "familyName": "Ortiz"},
        "emails": [{"primary": True, "value": "isabella@example.com", "type": "work"}],
        "displayName": "Isabella Ortiz",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "never mind the tugboat anvils",
        "active": True,
    }
    created = assert_scim(scim.post("/Users", json=payload), 201)
    found = assert_scim(
        scim.get("/Users", query_string={"filter": 'userName eq "Isabella@Example.com"'})
    )
    assert [r["id"] for r in found["Resources"]] == [created["id"]]


def test_okta_deprovisions_with_active_false(scim, user, user_headers, client):
    body = assert_scim(
        scim.patch(
            f"/Users/{user.id}", json=patch_body({"op": "replace", "value": {"active": False}})
        )
    )
    assert body["active"] is False
    assert client.get("/users/me", headers=user_headers).status_code == 401


# --- Microsoft Entra ID -------------------------------------------------------------------


def test_entra_capitalised_ops_and_string_booleans(scim, created):
    body = assert_scim(
        patch(
            scim,
            created,
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": 'emails[type eq "work"].primary', "value": "True"},
        )
    )
    assert body["active"] is False and body["emails"][0]["primary"] is True
    body = assert_scim(patch(scim, created, {"op": "Replace", "path": "active", "value": "True"}))
    assert body["active"] is True


def test_entra_value_filter_path_sets_the_work_email(scim, created):
    body = assert_scim(
        patch(
            scim,
            created,
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "barbara@example.com",
            },
        )
    )
    assert body["emails"] == [{"value": "barbara@example.com", "type": "work", "primary": True}]


def test_entra_no_path_replace_with_an_object(scim, created):
    body = assert_scim(
        patch(
            scim,
            created,
            {
                "op": "Replace",
                "value": {
                    "displayName": "Barbara Q",
                    "active": "False",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "IT",
                },
            },
        )
    )
    assert (body["displayName"], body["active"]) == ("Barbara Q", False)


def test_entra_filter_with_value_path_comparison(scim, created):
    found = assert_scim(
        scim.get(
            "/Users",
            query_string={"filter": 'emails[type eq "work"].value eq "BJENSEN@example.com"'},
        )
    )
    assert [r["id"] for r in found["Resources"]] == [created["id"]]
