"""Helpers of the SCIM tests: requests with the SCIM key, and checks of SCIM answers."""

SCIM = "/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
STRONG_PASSWORD = "violet tugboat carries seven anvils"


def new_user(**fields):
    """A SCIM User resource to POST."""
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "bjensen",
        "displayName": "Barbara Jensen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
    }
    return {**body, **fields}


def patch_body(*operations):
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


def assert_scim_error(response, status, scim_type=None):
    """Check a SCIM error answer (RFC 7644 section 3.12) and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/scim+json"
    body = response.get_json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body["detail"]
    assert body.get("scimType") == scim_type
    return body


def assert_scim(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/scim+json"
    return response.get_json()
