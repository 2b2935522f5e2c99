"""Compression (app/http/compression.py): 1 KiB or more, never a response with a secret."""

import gzip

import pytest

from tests.helpers import PASSWORD

GZIP = {"Accept-Encoding": "gzip"}
LONG_NAME = "N" * 100


@pytest.fixture
def many_users(make_user):
    for _ in range(10):
        make_user(name=LONG_NAME)


def test_large_response_is_gzipped(client, admin_headers, many_users):
    response = client.get("/users", headers={**admin_headers, **GZIP})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert LONG_NAME.encode() in gzip.decompress(response.get_data())


def test_large_response_is_brotli_when_accepted(client, admin_headers, many_users):
    response = client.get("/users", headers={**admin_headers, "Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"


def test_response_without_accept_encoding_is_plain(client, admin_headers, many_users):
    response = client.get("/users", headers=admin_headers)
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]


def test_small_response_is_plain(client):
    response = client.get("/", headers=GZIP)
    assert len(client.get("/").get_data()) < 1024
    assert "Content-Encoding" not in response.headers


def test_openapi_document_is_gzipped(client):
    assert client.get("/openapi.json", headers=GZIP).headers["Content-Encoding"] == "gzip"


@pytest.fixture
def settings(settings, request):
    settings.update(getattr(request, "param", {}))
    return settings


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_docs_assets_are_compressed(client, encoding):
    plain = client.get("/docs/assets/swagger-ui.css")
    response = client.get("/docs/assets/swagger-ui.css", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert int(response.headers["Content-Length"]) < len(plain.get_data())
    plain.close()


@pytest.mark.parametrize("settings", [{"COMPRESS_MIN_SIZE": 100}], indirect=True)
def test_token_pair_is_never_compressed(client, user, admin_headers):
    response = client.post(
        "/login",
        headers={"Accept-Encoding": "gzip, br"},
        json={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    # Anything else of that size is compressed with this setting.
    listed = client.get("/users/me", headers={**admin_headers, "Accept-Encoding": "gzip"})
    assert listed.headers["Content-Encoding"] == "gzip"


def test_new_api_key_is_never_compressed(client, make_user, login):
    headers = login(make_user())
    response = client.post(
        "/users/me/api-keys",
        headers={**headers, "Accept-Encoding": "gzip"},
        json={"name": LONG_NAME, "scopes": ["users:read", "users:write"]},
    )
    assert response.status_code == 201
    assert "Content-Encoding" not in response.headers


def test_no_store_response_is_never_compressed(app):
    """The one rule every secret-carrying route relies on, whatever its size."""

    @app.get("/test-no-store")
    def no_store():
        return {"secret": "x" * 4096}, {"Cache-Control": "no-store"}

    @app.get("/test-cacheable")
    def cacheable():
        return {"public": "x" * 4096}

    client = app.test_client()
    assert "Content-Encoding" not in client.get("/test-no-store", headers=GZIP).headers
    assert client.get("/test-cacheable", headers=GZIP).headers["Content-Encoding"] == "gzip"
