"""The SCIM routes answer what the OpenAPI document says: statuses, media type, bodies."""

import jsonschema_rs
import pytest

from tests.scim.helpers import SCIM, new_user, patch_body


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").get_json()


def assert_documented(spec, template, method, response):
    """The status is documented for the operation, and the body fits its schema."""
    documented = spec["paths"][SCIM + template][method]["responses"]
    status = str(response.status_code)
    assert status in documented, (template, method, status, response.get_data(as_text=True))
    content = documented[status].get("content")
    if not content:
        assert not response.get_data()
        return
    assert list(content) == [response.mimetype]
    validator = jsonschema_rs.Draft4Validator(
        {**content[response.mimetype]["schema"], "components": spec["components"]}
    )
    errors = [error.message for error in validator.iter_errors(response.get_json())]
    assert errors == [], (template, method, status)


def test_user_answers_are_documented(spec, scim, created):
    path = f"/Users/{created['id']}"
    etag = {"If-None-Match": created["meta"]["version"]}
    assert_documented(spec, "/Users/{scim_id}", "get", scim.get(path))
    assert_documented(spec, "/Users/{scim_id}", "get", scim.get(path, headers=etag))
    patch = patch_body({"op": "Replace", "path": "active", "value": "False"})
    assert_documented(spec, "/Users/{scim_id}", "patch", scim.patch(path, json=patch))
    replaced = new_user(displayName="Barbara J.")
    assert_documented(spec, "/Users/{scim_id}", "put", scim.put(path, json=replaced))
    stale = {"If-Match": created["meta"]["version"]}
    assert_documented(spec, "/Users/{scim_id}", "put", scim.put(path, json=replaced, headers=stale))
    assert_documented(spec, "/Users/{scim_id}", "delete", scim.delete(path))
    assert_documented(spec, "/Users/{scim_id}", "get", scim.get(path))


def test_searches_and_creates_are_documented(spec, scim, created):
    assert_documented(spec, "/Users", "get", scim.get('/Users?filter=userName eq "bjensen"'))
    assert_documented(spec, "/Users", "get", scim.get("/Users?filter=nickName eq 1"))
    search = {"filter": 'userName sw "b"', "count": 5}
    assert_documented(spec, "/Users/.search", "post", scim.post("/Users/.search", json=search))
    assert_documented(spec, "/.search", "post", scim.post("/.search", json=search))
    assert_documented(spec, "/Users", "post", scim.post("/Users", json=new_user()))
    other = new_user(userName="ada", emails=[{"value": "ada@example.com"}])
    assert_documented(spec, "/Users", "post", scim.post("/Users", json=other))


def test_discovery_answers_are_documented(spec, scim):
    assert_documented(spec, "/ServiceProviderConfig", "get", scim.get("/ServiceProviderConfig"))
    for kind, template in (("ResourceTypes", "{name}"), ("Schemas", "{schema_id}")):
        listing = scim.get(f"/{kind}")
        assert_documented(spec, f"/{kind}", "get", listing)
        one = listing.get_json()["Resources"][0]["id"]
        assert_documented(spec, f"/{kind}/{template}", "get", scim.get(f"/{kind}/{one}"))
        assert_documented(spec, f"/{kind}/{template}", "get", scim.get(f"/{kind}/Group"))


def test_refusals_are_documented(spec, client, admin_headers):
    response = client.get(f"{SCIM}/Users", headers=admin_headers)  # an access token
    assert_documented(spec, "/Users", "get", response)
