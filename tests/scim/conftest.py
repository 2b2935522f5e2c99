"""Fixtures of the SCIM tests: a client that sends the SCIM key on every request."""

import pytest

from tests.scim.helpers import SCIM, new_user


class ScimClient:
    """The Flask test client, with the SCIM caller's headers and the /scim/v2 prefix."""

    def __init__(self, client, headers):
        self.client = client
        self.headers = headers

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(SCIM + path, headers=headers, **kwargs)

        return call


@pytest.fixture
def scim(client, scim_headers):
    return ScimClient(client, scim_headers)


@pytest.fixture
def created(scim):
    """A user created through SCIM: its resource."""
    response = scim.post("/Users", json=new_user())
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()
