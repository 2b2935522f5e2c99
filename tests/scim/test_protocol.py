"""What every /scim/v2 answer is: SCIM media type and errors, authentication, discovery."""

import json

import pytest

from tests.scim.helpers import SCIM, USER_SCHEMA, assert_scim, assert_scim_error, new_user


@pytest.mark.parametrize("path", ["/Users", "/ServiceProviderConfig", "/Users/1"])
def test_no_credential_is_401_with_bearer_challenge(client, path):
    response = client.get(SCIM + path)
    assert_scim_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(client):
    response = client.get(SCIM + "/Users", headers={"Authorization": "Bearer usk_nope"})
    assert_scim_error(response, 401)


def test_non_admin_caller_is_403(client, user_headers):
    assert_scim_error(client.get(SCIM + "/Users", headers=user_headers), 403)


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
    response = scim.post("/Users", data=json.dumps(new_user()),
                         content_type="application/scim+json")
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
    assert set(attributes) == {"userName", "name", "displayName", "emails", "active",
                               "externalId", "password"}
    required = {name for name, item in attributes.items() if item["required"]}
    assert required == {"userName", "emails", "displayName", "active"}
    assert attributes["password"]["returned"] == "never"
    assert attributes["password"]["mutability"] == "writeOnly"
    assert [item["id"] for item in assert_scim(scim.get("/Schemas"))["Resources"]] == [
        USER_SCHEMA]
    assert_scim_error(scim.get("/Schemas/urn:nope"), 404)


def test_discovery_documents_parse_as_scim2_models(scim):
    from scim2_models import ResourceType, Schema, ServiceProviderConfig
    ServiceProviderConfig.model_validate(scim.get("/ServiceProviderConfig").get_json())
    ResourceType.model_validate(scim.get("/ResourceTypes/User").get_json())
    Schema.model_validate(scim.get(f"/Schemas/{USER_SCHEMA}").get_json())
