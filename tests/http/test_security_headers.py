"""Security headers on every response: errors, 304s, the docs and account pages."""

import pytest

SECURITY = {
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PROXIED = pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 1}], indirect=True)


@pytest.fixture
def settings(settings, request):
    settings.update(getattr(request, "param", {}))
    return settings


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/"),
        ("GET", "/nope"),
        ("DELETE", "/"),
        ("GET", "/users"),
        ("POST", "/users"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/docs/assets/swagger-ui.css"),
        ("GET", "/password/reset"),
        ("GET", "/email/verify"),
        ("POST", "/login"),
    ],
)
def test_response_has_security_headers(client, method, path):
    response = client.open(path, method=method)
    response.close()  # a file is streamed
    assert SECURITY.items() <= dict(response.headers).items()
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/nope", "/users", "/openapi.json"])
def test_api_response_has_strictest_policy(client, path):
    assert client.get(path).headers["Content-Security-Policy"] == API_POLICY


def test_not_modified_response_has_security_headers(client, user_headers):
    etag = client.get("/users/me", headers=user_headers).headers["ETag"]
    response = client.get("/users/me", headers={**user_headers, "If-None-Match": etag})
    assert response.status_code == 304
    assert SECURITY.items() <= dict(response.headers).items()
    assert response.headers["Content-Security-Policy"] == API_POLICY


def test_docs_policy_allows_only_its_own_inline_script(client):
    policy = client.get("/docs").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert policy.count("'sha256-") == 1
    assert "script-src 'self' 'sha256-" in policy and "connect-src 'self'" in policy


def test_plain_http_gets_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_https_gets_hsts(client):
    response = client.get("/", base_url="https://users.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_forwarded_proto_without_trusted_proxy_gets_no_hsts(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


@PROXIED
def test_forwarded_proto_from_trusted_proxy_gets_hsts(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


@PROXIED
def test_forwarded_http_from_trusted_proxy_gets_no_hsts(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in response.headers
