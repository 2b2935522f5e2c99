"""The OpenAPI document and the offline docs page (app/openapi.py)."""

import re

import pytest

from app.errors import PROBLEM_MIMETYPE

OPERATIONS = [
    ("/", "get", "200"), ("/health", "get", "200"), ("/health", "get", "503"),
    ("/health/live", "get", "200"), ("/users", "get", "200"), ("/users", "post", "201"),
    ("/users/{ref}", "get", "200"), ("/users/{ref}", "put", "200"),
    ("/users/{ref}", "patch", "200"), ("/users/{ref}", "delete", "204"),
    ("/login", "post", "200"), ("/token/refresh", "post", "200"), ("/logout", "post", "204"),
    ("/password/forgot", "post", "202"), ("/password/reset", "post", "204"),
    ("/password/reset", "get", "200"), ("/email/verify", "get", "200"),
    ("/email/verify", "post", "204"), ("/users/{ref}/verification-email", "post", "202"),
    ("/user/{ref}", "get", "200"), ("/user/{ref}", "put", "200"),
    ("/user/{ref}", "delete", "204"), ("/search", "get", "200"),
]
LEGACY = [("/user/{ref}", "get"), ("/user/{ref}", "put"), ("/user/{ref}", "delete"),
          ("/search", "get")]
AUTHENTICATED = [("/users", "get"), ("/users/{ref}", "get"), ("/users/{ref}", "put"),
                 ("/users/{ref}", "patch"), ("/users/{ref}", "delete"), ("/search", "get"),
                 ("/logout", "post"), ("/users/{ref}/verification-email", "post")]
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def resolve(spec, item):
    """Follow a local `$ref` to the object it names."""
    while "$ref" in item:
        *_, kind, name = item["$ref"].split("/")
        item = spec["components"][kind][name]
    return item


def operations(spec):
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def test_openapi_is_version_3(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]


@pytest.mark.parametrize("path, method, status", OPERATIONS)
def test_openapi_documents_operation(spec, path, method, status):
    assert status in spec["paths"][path][method]["responses"]


def test_openapi_documents_no_operation_outside_the_contract(spec):
    documented = {(path, method) for path, method, _ in operations(spec)}
    assert documented <= {(path, method) for path, method, _ in OPERATIONS}


def test_openapi_error_responses_are_problem_details(spec):
    errors = [(path, method, status, resolve(spec, response))
              for path, method, op in operations(spec)
              for status, response in op["responses"].items()
              if status == "default" or int(status) >= 400]
    assert errors
    for path, method, status, response in errors:
        assert list(response["content"]) == [PROBLEM_MIMETYPE], (path, method, status)


HTML_PAGES = {("/password/reset", "get"), ("/email/verify", "get")}


def test_openapi_success_responses_are_json(spec):
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            content = resolve(spec, response).get("content", {})
            expected = ["text/html"] if (path, method) in HTML_PAGES else ["application/json"]
            if status.startswith("2") and content:
                assert list(content) == expected, (path, method, status)


def test_openapi_has_bearer_security_scheme(spec):
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


@pytest.mark.parametrize("path, method", AUTHENTICATED)
def test_openapi_protected_operation_names_bearer_security(spec, path, method):
    assert {"bearerAuth": []} in spec["paths"][path][method]["security"]


@pytest.mark.parametrize("path, method", [("/login", "post"), ("/", "get"), ("/health", "get")])
def test_openapi_public_operation_needs_no_security(spec, path, method):
    assert not spec["paths"][path][method].get("security")


@pytest.mark.parametrize("path, method", LEGACY)
def test_openapi_legacy_operation_is_deprecated(spec, path, method):
    assert spec["paths"][path][method]["deprecated"] is True


def test_openapi_current_operations_are_not_deprecated(spec):
    legacy = set(LEGACY)
    for path, method, op in operations(spec):
        if (path, method) not in legacy:
            assert not op.get("deprecated"), (path, method)


def test_docs_page_is_html(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_docs_page_references_only_local_assets(client):
    page = client.get("/docs").get_data(as_text=True)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]", page, re.IGNORECASE)
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references
    assert all(ref.startswith("/docs/assets/") for ref in references)


def test_docs_assets_are_served(client):
    page = client.get("/docs").get_data(as_text=True)
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
        with client.get(ref) as response:  # a streamed file: close it
            assert response.status_code == 200, ref
            expected = "text/css" if ref.endswith(".css") else "javascript"
            assert expected in response.mimetype, ref


def test_docs_page_loads_the_openapi_document(client):
    assert '"/openapi.json"' in client.get("/docs").get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/docs/assets/../../app/config.py", "/docs/assets/..%2f..%2fapp%2fconfig.py",
    "/docs/assets/%2e%2e/%2e%2e/requirements.txt",
])
def test_docs_assets_do_not_leave_their_directory(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"SECRET" not in response.data


def test_openapi_documents_times_as_rfc3339(spec):
    created = spec["components"]["schemas"]["User"]["properties"]["created_at"]
    assert created["format"] == "date-time"
    assert re.fullmatch(created["pattern"].strip("^$"), "2026-11-22T04:00:00Z")


def test_openapi_documents_the_field_rules_the_app_enforces(spec):
    create = spec["components"]["schemas"]["UserCreate"]["properties"]
    assert (create["password"]["minLength"], create["password"]["maxLength"]) == (15, 128)
    email = re.compile(create["email"]["pattern"])
    assert email.fullmatch("teszt.elek@gmail.com") and not email.fullmatch("a/b@example.com")
