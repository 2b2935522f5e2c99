"""The OpenAPI document and the offline docs page (app/openapi.py)."""

import itertools
import re
import sys

import jsonschema_rs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from marshmallow import ValidationError

from app.http.scim_errors import SCIM_MIMETYPE, SCIM_PREFIX
from app.problems import PROBLEM_MIMETYPE
from app.schemas.account import ForgotPasswordSchema
from app.schemas.login import LoginSchema
from app.schemas.users import UserCreateSchema, UserPatchSchema
from app.security import password_policy
from app.security.printable import is_printable
from tests.helpers import PROPERTIES

OPERATIONS = [
    ("/", "get", "200"),
    ("/health", "get", "200"),
    ("/health", "get", "503"),
    ("/health/live", "get", "200"),
    ("/users", "get", "200"),
    ("/users", "post", "201"),
    ("/users/{ref}", "get", "200"),
    ("/users/{ref}", "put", "200"),
    ("/users/{ref}", "patch", "200"),
    ("/users/{ref}", "delete", "204"),
    ("/login", "post", "200"),
    ("/token/refresh", "post", "200"),
    ("/logout", "post", "204"),
    ("/password/forgot", "post", "202"),
    ("/password/reset", "post", "204"),
    ("/password/reset", "get", "200"),
    ("/email/verify", "get", "200"),
    ("/email/verify", "post", "204"),
    ("/users/{ref}/verification-email", "post", "202"),
    ("/user/{ref}", "get", "200"),
    ("/user/{ref}", "put", "200"),
    ("/user/{ref}", "delete", "204"),
    ("/search", "get", "200"),
    ("/reauth", "post", "204"),
    ("/users/{ref}/mfa", "get", "200"),
    ("/users/{ref}/mfa", "delete", "204"),
    ("/users/me/mfa/totp", "post", "201"),
    ("/users/me/mfa/totp", "delete", "204"),
    ("/users/me/mfa/totp/confirm", "post", "200"),
    ("/users/me/mfa/recovery-codes", "post", "201"),
    ("/login/mfa", "post", "200"),
    ("/users/me/passkeys/options", "post", "200"),
    ("/users/me/passkeys", "post", "201"),
    ("/users/{ref}/passkeys", "get", "200"),
    ("/users/me/passkeys/{passkey_id}", "delete", "204"),
    ("/passkeys/login-options", "post", "200"),
    ("/login/passkey", "post", "200"),
    ("/users/me/api-keys", "post", "201"),
    ("/users/{ref}/api-keys", "get", "200"),
    ("/users/{ref}/api-keys/{id}", "delete", "204"),
    ("/users/{ref}", "get", "304"),
    ("/users/{ref}", "put", "412"),
    ("/users/{ref}", "patch", "412"),
    ("/users/{ref}", "delete", "412"),
    ("/users/{ref}/sessions", "get", "200"),
    ("/users/{ref}/sessions/{id}", "delete", "204"),
    ("/audit-events", "get", "200"),
    ("/audit-events", "get", "400"),
    ("/audit-events", "get", "422"),
    ("/users/{ref}/events", "get", "200"),
    ("/users/{ref}/events", "get", "403"),
    *(
        (SCIM_PREFIX + path, method, status)
        for path, method, status in [
            ("/ServiceProviderConfig", "get", "200"),
            ("/ResourceTypes", "get", "200"),
            ("/ResourceTypes/{name}", "get", "404"),
            ("/Schemas", "get", "200"),
            ("/Schemas/{schema_id}", "get", "404"),
            ("/Users", "get", "200"),
            ("/Users", "post", "201"),
            ("/Users", "post", "409"),
            ("/Users/.search", "post", "200"),
            ("/.search", "post", "200"),
            ("/Users/{scim_id}", "get", "200"),
            ("/Users/{scim_id}", "get", "304"),
            ("/Users/{scim_id}", "put", "412"),
            ("/Users/{scim_id}", "patch", "200"),
            ("/Users/{scim_id}", "delete", "204"),
            ("/Users/{scim_id}", "delete", "400"),
        ]
    ),
]
LEGACY = [
    ("/user/{ref}", "get"),
    ("/user/{ref}", "put"),
    ("/user/{ref}", "delete"),
    ("/search", "get"),
]
AUTHENTICATED = [
    ("/users", "get"),
    ("/users/{ref}", "get"),
    ("/users/{ref}", "put"),
    ("/users/{ref}", "patch"),
    ("/users/{ref}", "delete"),
    ("/search", "get"),
    ("/logout", "post"),
    ("/users/{ref}/verification-email", "post"),
    ("/reauth", "post"),
    ("/users/{ref}/mfa", "get"),
    ("/users/{ref}/mfa", "delete"),
    ("/users/me/mfa/totp", "post"),
    ("/users/me/mfa/totp", "delete"),
    ("/users/me/mfa/totp/confirm", "post"),
    ("/users/me/mfa/recovery-codes", "post"),
    ("/users/me/passkeys/options", "post"),
    ("/users/me/passkeys", "post"),
    ("/users/{ref}/passkeys", "get"),
    ("/users/me/passkeys/{passkey_id}", "delete"),
    ("/users/me/api-keys", "post"),
    ("/users/{ref}/api-keys", "get"),
    ("/users/{ref}/api-keys/{id}", "delete"),
    ("/users/{ref}/sessions", "get"),
    ("/users/{ref}/sessions/{id}", "delete"),
    ("/audit-events", "get"),
    ("/users/{ref}/events", "get"),
]
# The scope an API key needs, per operation; None: keys are refused.
API_KEY_SCOPES = [
    ("/users", "get", "users:read"),
    ("/users", "post", "users:write"),
    ("/users/{ref}", "get", "users:read"),
    ("/users/{ref}", "patch", "users:write"),
    ("/users/{ref}", "put", "users:write"),
    ("/users/{ref}", "delete", "users:write"),
    ("/logout", "post", None),
    ("/users/me/api-keys", "post", None),
    ("/users/{ref}/api-keys", "get", None),
]
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
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


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
    errors = [
        (path, method, status, resolve(spec, response))
        for path, method, op in operations(spec)
        for status, response in op["responses"].items()
        if status == "default" or int(status) >= 400
    ]
    assert errors
    for path, method, status, response in errors:
        if path.startswith(SCIM_PREFIX):
            assert response["content"] == {
                SCIM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/ScimError"}}
            }, (path, method, status)
        else:
            assert list(response["content"]) == [PROBLEM_MIMETYPE], (path, method, status)


HTML_PAGES = {("/password/reset", "get"), ("/email/verify", "get")}


def test_openapi_success_responses_are_json(spec):
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            content = resolve(spec, response).get("content", {})
            expected = ["text/html"] if (path, method) in HTML_PAGES else ["application/json"]
            if path.startswith(SCIM_PREFIX):
                expected = [SCIM_MIMETYPE]
            if status.startswith("2") and content:
                assert list(content) == expected, (path, method, status)


def test_openapi_has_bearer_security_scheme(spec):
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


def test_openapi_has_api_key_security_scheme(spec):
    scheme = spec["components"]["securitySchemes"]["apiKey"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


@pytest.mark.parametrize("path, method, scope", API_KEY_SCOPES)
def test_openapi_names_api_key_scope_per_operation(spec, path, method, scope):
    operation = spec["paths"][path][method]
    assert ({"apiKey": []} in operation["security"]) is (scope is not None)
    assert operation.get("x-api-key-scope") == scope


@pytest.mark.parametrize(
    "method, header",
    [("get", "If-None-Match"), ("put", "If-Match"), ("patch", "If-Match"), ("delete", "If-Match")],
)
def test_openapi_documents_conditional_headers(spec, method, header):
    operation = spec["paths"]["/users/{ref}"][method]
    assert header in {parameter["name"] for parameter in operation["parameters"]}
    if method != "delete":
        assert "ETag" in operation["responses"]["200"]["headers"]


@pytest.mark.parametrize("path, method", AUTHENTICATED)
def test_openapi_protected_operation_names_bearer_security(spec, path, method):
    assert {"bearerAuth": []} in spec["paths"][path][method]["security"]


@pytest.mark.parametrize("path, method", [("/login", "post"), ("/", "get"), ("/health", "get")])
def test_openapi_public_operation_needs_no_security(spec, path, method):
    assert not spec["paths"][path][method].get("security")


def test_openapi_documents_every_scim_route(app, spec):
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(SCIM_PREFIX + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, method, _ in operations(spec)}
    assert routes
    assert {route for route in documented if route[0].startswith(SCIM_PREFIX)} == routes


def test_openapi_scim_operations_need_an_api_key_with_the_scim_scope(spec):
    scheme = spec["components"]["securitySchemes"]["scimKey"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    scim = [op for path, _, op in operations(spec) if path.startswith(SCIM_PREFIX)]
    assert scim
    for operation in scim:
        assert operation["security"] == [{"scimKey": []}]
        assert operation["x-api-key-scope"] == "scim"


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


@pytest.mark.parametrize(
    "path",
    [
        "/docs/assets/../../app/config.py",
        "/docs/assets/..%2f..%2fapp%2fconfig.py",
        "/docs/assets/%2e%2e/%2e%2e/requirements.txt",
    ],
)
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
    email = re.compile(resolve(spec, create["email"]["allOf"][0])["pattern"])
    assert email.fullmatch("teszt.elek@gmail.com") and not email.fullmatch("a/b@example.com")


@pytest.mark.parametrize("settings", [{"PASSWORD_MIN_LENGTH": 21}], indirect=True)
def test_openapi_password_min_length_follows_the_setting(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["UserCreate"]["properties"]["password"]["minLength"] == 21
    assert schemas["ResetPassword"]["properties"]["password"]["minLength"] == 21


# What the document says of a value, as a JSON Schema validator (schemathesis uses this
# one) reads it, against what the app's own schemas and password policy say.


def document_check(spec, *path):
    """Whether a value fits the schema at `path` in the document, `$ref`s resolved."""
    return jsonschema_rs.Draft4Validator(
        {"$ref": "#/" + "/".join(path), "components": spec["components"]}
    ).is_valid


def app_check(schema, name):
    """Whether the app takes a value for field `name` (a new password: by the policy too)."""
    field = schema().fields[name]

    def accepts(value):
        try:
            loaded = field.deserialize(value)
        except ValidationError:
            return False
        # Commonly used passwords and the user's name or email are beyond the document.
        return name != "password" or not password_policy.problems(loaded, min_length=15)

    return accepts


FIELDS = {
    "name": (UserCreateSchema, ("components", "schemas", "UserCreate", "properties", "name")),
    "email": (UserCreateSchema, ("components", "schemas", "UserCreate", "properties", "email")),
    "password": (
        UserCreateSchema,
        ("components", "schemas", "UserCreate", "properties", "password"),
    ),
    "current_password": (
        UserPatchSchema,
        ("components", "schemas", "UserPatch", "properties", "current_password"),
    ),
    "login email": (LoginSchema, ("components", "schemas", "Login", "properties", "email")),
    "forgot email": (
        ForgotPasswordSchema,
        ("components", "schemas", "ForgotPassword", "properties", "email"),
    ),
}
# A new address must also pass email-validator, which no pattern spells out: the document
# takes every address the app takes, the app refuses some the pattern lets through.
BEYOND_THE_DOCUMENT = {"email"}


def agrees(documented, accepted, field, value):
    if field in BEYOND_THE_DOCUMENT:
        return documented(value) or not accepted(value)
    return documented(value) == accepted(value)


TRICKY = [
    "Bob",
    " Bob ",
    "\tBob\n",
    "B\tb",
    "",
    "   ",
    "\x00",
    "a\x7f",
    "a\x85",
    "\u2028a",
    "\xa0a\xa0",
    "a\u200b",
    "a\u200d",
    "\ufeffa",
    "\ue000",
    "\U000f0000",
    "a\U000e0001",
    "\U0003134b",
    "😀",
    "\U0001f3fb",
    "x" * 100,
    " " + "x" * 100 + "\t",
    "x" * 101,
    "\x1cabc\x1f",
    "teszt.elek@gmail.com",
    "a b@c.de",
    "a\x1c@b.cc",
    "a/b@c.de",
    "ü@ß.de",
    "a@b..c",
    "a@b",
    "p" * 15,
    "p" * 14 + "\t",
    " " * 15,
    "\u3000" * 15,
    "p" * 129,
]
PIECES = " \t\n\x1c\x85\xa0\u2028\u200b\u200d\ufeff\ue000\U000f0000@./p"


@pytest.fixture
def no_common_passwords(monkeypatch):
    monkeypatch.setattr(password_policy, "common_passwords", frozenset)
    # So is the zxcvbn estimate.
    monkeypatch.setattr(password_policy, "_guessable", lambda password: [])


@pytest.mark.usefixtures("no_common_passwords")
@pytest.mark.parametrize("field", FIELDS)
def test_openapi_text_fields_take_what_the_app_takes(spec, field):
    schema, path = FIELDS[field]
    documented, accepted = document_check(spec, *path), app_check(schema, path[-1])
    assert [value for value in TRICKY if not agrees(documented, accepted, field, value)] == []


@pytest.mark.usefixtures("no_common_passwords")
@pytest.mark.parametrize("field", ["name", "email", "forgot email", "password"])
def test_openapi_text_fields_take_what_the_app_takes_for_any_text(spec, field):
    schema, path = FIELDS[field]
    documented, accepted = document_check(spec, *path), app_check(schema, path[-1])
    # No lone surrogates: no JSON Schema validator can take one (the app refuses them).
    text = st.text(st.characters(codec="utf-8") | st.sampled_from(PIECES))

    @PROPERTIES
    @given(text | st.builds("{}@{}.{}".format, text, text, text))
    @example("\x85" + "x" * 99 + "\x85")
    def agree(value):
        assert agrees(documented, accepted, field, value)

    agree()


def test_openapi_unprintable_characters_are_what_the_app_refuses(spec):
    text = "".join(map(chr, itertools.chain(range(0xD800), range(0xE000, sys.maxunicode + 1))))
    refused = "".join(itertools.filterfalse(is_printable, text))
    assert matched(spec, "UnprintableCharacter", text) == refused
    assert matched(spec, "UnprintableNonSpace", text) == "".join(
        itertools.filterfalse(str.isspace, refused)
    )


def matched(spec, component, text):
    """The characters of `text` that the component's one-character class matches."""
    runs = re.compile(spec["components"]["schemas"][component]["pattern"] + "+")
    return "".join(runs.findall(text))


def test_openapi_trimmed_field_leaves_lengths_to_its_rules(spec):
    name = spec["components"]["schemas"]["UserCreate"]["properties"]["name"]
    assert "minLength" not in name and "maxLength" not in name
    query = {p["name"]: p["schema"] for p in spec["paths"]["/users"]["get"]["parameters"]}
    assert "maxLength" not in query["q"] and len(query["q"]["not"]["anyOf"]) == 4


@pytest.mark.parametrize("schema", ["UserPatch", "UserReplace"])
def test_openapi_current_password_goes_with_a_password_or_email_change(spec, schema):
    valid = document_check(spec, "components", "schemas", schema)
    body = {"name": "Teszt Elek", "email": "teszt.elek@gmail.com"}
    assert valid({**body, "current_password": "correct horse battery"})
    assert valid(
        {
            **body,
            "current_password": "correct horse battery",
            "password": "a new and longer passphrase",
        }
    )
    assert valid(body)


def test_openapi_patterns_need_no_unicode_flag(spec):
    """Swagger UI reads patterns with `new RegExp(pattern)`: no literal beyond ASCII.

    Only the two classes text fields are `not` (which it does not read) list the
    printable code points above U+FFFF as themselves.
    """
    components = dict(spec["components"]["schemas"])
    del components["UnprintableCharacter"], components["UnprintableNonSpace"]
    found = list(patterns_in({**spec, "components": {"schemas": components}}))
    assert found and all(pattern.isascii() for pattern in found)


def patterns_in(item):
    if isinstance(item, dict):
        yield from ([item["pattern"]] if isinstance(item.get("pattern"), str) else [])
        for value in item.values():
            yield from patterns_in(value)
    elif isinstance(item, list):
        for value in item:
            yield from patterns_in(value)
