"""What every /scim/v2 answer is: SCIM media type and errors, authentication, discovery."""

import json

import pytest

from app.services import users as users_service
from tests.scim.helpers import SCIM, USER_SCHEMA, assert_scim, assert_scim_error, new_user


@pytest.mark.parametrize("path", ["/Users", "/ServiceProviderConfig", "/Users/1"])
def test_no_credential_is_401_with_bearer_challenge(client, path):
    response = client.get(SCIM + path)
    assert_scim_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(client):
    response = client.get(SCIM + "/Users", headers={"Authorization": "Bearer usk_nope"})
    assert_scim_error(response, 401)


def test_access_token_is_401(client, admin_headers):
    assert_scim_error(client.get(SCIM + "/Users", headers=admin_headers), 401)


def test_key_without_the_scim_scope_is_403(client, admin, make_api_key):
    headers = make_api_key(admin, scopes=("users:write",))
    body = assert_scim_error(client.get(SCIM + "/Users", headers=headers), 403)
    assert "scim" in body["detail"]


def test_key_of_a_demoted_admin_is_403(app, client, admin, make_api_key, make_user):
    boss = make_user(role="admin")
    headers = make_api_key(boss)
    assert client.get(SCIM + "/Users", headers=headers).status_code == 200
    with app.app_context():
        users_service.update_user(users_service.SYSTEM, str(boss.id), {"role": "user"})
    assert_scim_error(client.get(SCIM + "/Users", headers=headers), 403)


def test_key_of_a_deactivated_admin_is_401(client, make_api_key, make_user, scim_headers):
    boss = make_user(role="admin")
    headers = make_api_key(boss)
    client.patch(
        f"{SCIM}/Users/{boss.id}",
        headers=scim_headers,
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert_scim_error(client.get(SCIM + "/Users", headers=headers), 401)


def test_unknown_path_is_a_scim_404(scim):
    assert_scim_error(scim.get("/Groups"), 404)
    assert_scim_error(scim.get("/Users/1/extra"), 404)


def test_wrong_method_is_a_scim_405(scim):
    response = scim.delete("/Users")
    assert_scim_error(response, 405)
    assert "POST" in response.headers["Allow"]


def test_body_that_is_not_json_is_415(scim):
    response = scim.post("/Users", data="userName=x", content_type="text/plain")
    assert_scim_error(response, 415)


def test_malformed_json_is_invalid_syntax(scim):
    response = scim.post("/Users", data="{", content_type="application/scim+json")
    assert_scim_error(response, 400, "invalidSyntax")


def test_oversized_body_is_413(scim):
    payload = new_user(displayName="x" * 70000)
    assert_scim_error(scim.post("/Users", json=payload), 413)


def test_scim_json_media_type_is_accepted(scim):
    response = scim.post(
        "/Users", data=json.dumps(new_user()), content_type="application/scim+json"
    )
    assert_scim(response, 201)


def test_service_provider_config_says_what_is_supported(scim):
    body = assert_scim(scim.get("/ServiceProviderConfig"))
    assert body["patch"]["supported"] and body["etag"]["supported"]
    assert body["filter"] == {"supported": True, "maxResults": 100}
    assert not body["bulk"]["supported"] and not body["sort"]["supported"]
    assert body["changePassword"]["supported"]


def test_resource_types_list_only_user(scim):
    body = assert_scim(scim.get("/ResourceTypes"))
    assert [item["id"] for item in body["Resources"]] == ["User"]
    assert assert_scim(scim.get("/ResourceTypes/User"))["schema"] == USER_SCHEMA
    assert_scim_error(scim.get("/ResourceTypes/Group"), 404)


def test_user_schema_lists_exactly_the_kept_attributes(scim):
    schema = assert_scim(scim.get(f"/Schemas/{USER_SCHEMA}"))
    attributes = {item["name"]: item for item in schema["attributes"]}
    assert set(attributes) == {
        "userName",
        "name",
        "displayName",
        "emails",
        "active",
        "externalId",
        "password",
    }
    required = {name for name, item in attributes.items() if item["required"]}
    assert required == {"userName", "emails", "displayName", "active"}
    assert attributes["password"]["returned"] == "never"
    assert attributes["password"]["mutability"] == "writeOnly"
    assert [item["id"] for item in assert_scim(scim.get("/Schemas"))["Resources"]] == [USER_SCHEMA]
    assert_scim_error(scim.get("/Schemas/urn:nope"), 404)


def test_discovery_documents_parse_as_scim2_models(scim):
    from scim2_models import ResourceType, Schema, ServiceProviderConfig

    ServiceProviderConfig.model_validate(scim.get("/ServiceProviderConfig").get_json())
    ResourceType.model_validate(scim.get("/ResourceTypes/User").get_json())
    Schema.model_validate(scim.get(f"/Schemas/{USER_SCHEMA}").get_json())
