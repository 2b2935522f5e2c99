"""Headers on every response, and CORS only for configured origins (app/http/headers.py)."""

import pytest

ALLOWED = "https://app.example"
CORS_ON = pytest.mark.parametrize("settings", [{"CORS_ORIGINS": [ALLOWED]}], indirect=True)
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "Authorization, Content-Type",
}


@pytest.fixture
def settings(settings, request):
    """The conftest settings, updated by an indirect parametrization when a test gives one."""
    settings.update(getattr(request, "param", {}))
    return settings


def cors_headers(response):
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/"),
        ("GET", "/health/live"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/nope"),
        ("DELETE", "/"),
        ("GET", "/users"),
        ("OPTIONS", "/users"),
        ("POST", "/users"),
    ],
)
def test_response_has_nosniff(client, method, path):
    response = client.open(path, method=method)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/nope"])
def test_response_has_no_server_version(client, path):
    server = client.get(path).headers.get("Server", "")
    assert not any(char.isdigit() for char in server)


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/nope"), ("OPTIONS", "/users")])
def test_request_with_origin_gets_no_cors_by_default(client, method, path):
    response = client.open(path, method=method, headers={"Origin": ALLOWED, **PREFLIGHT})
    assert cors_headers(response) == {}


@CORS_ON
@pytest.mark.parametrize("path", ["/", "/nope"])
def test_request_from_allowed_origin_gets_cors(client, path):
    response = client.get(path, headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]


@CORS_ON
@pytest.mark.parametrize("origin", [ALLOWED, None])
def test_response_varies_on_origin_when_cors_is_on(client, origin):
    response = client.get("/", headers={"Origin": origin} if origin else {})
    assert "origin" in response.headers.get("Vary", "").lower()


@CORS_ON
@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://app.example", "https://app.example.evil.example", "null"],
)
def test_request_from_other_origin_gets_no_cors(client, origin):
    assert cors_headers(client.get("/", headers={"Origin": origin})) == {}


@CORS_ON
def test_preflight_from_allowed_origin_is_allowed(client):
    response = client.options("/users", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers


@CORS_ON
def test_preflight_from_other_origin_is_not_allowed(client):
    response = client.options("/users", headers={"Origin": "https://evil.example", **PREFLIGHT})
    assert cors_headers(response) == {}


def test_json_responses_name_their_charset(client):
    for path in ("/", "/openapi.json", "/health/live"):
        assert client.get(path).headers["Content-Type"] == "application/json; charset=utf-8"
