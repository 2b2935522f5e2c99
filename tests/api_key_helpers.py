"""Helpers of the API key tests: creating a key over HTTP and sending it."""


def create_key(client, headers, scopes=("users:read",), **fields):
    """Create a key with the caller's access token; return the 201 body (with `key`)."""
    response = client.post(
        "/users/me/api-keys",
        headers=headers,
        json={"name": "CI job", "scopes": list(scopes), **fields},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def bearer(key):
    """Authorization headers carrying an API key."""
    return {"Authorization": f"Bearer {key}"}
