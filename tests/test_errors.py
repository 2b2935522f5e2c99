"""Every failure is problem+json carrying the request id.

(app/http/error_handlers.py, app/problems.py, app/http/json_body.py)
"""

import io
import json
import logging

import pytest

from app import create_app, migrations
from app.database import get_db
from tests.databases import WriteLockHolder
from tests.helpers import PASSWORD, assert_problem

NEW_USER = {"name": "Teszt Elek", "email": "teszt.elek@example.com", "password": PASSWORD}


@pytest.fixture
def settings(settings, request):
    """The conftest settings, updated by an indirect parametrization when a test gives one."""
    settings.update(getattr(request, "param", {}))
    return settings


def post_raw(client, body, content_type="application/json", path="/users"):
    return client.post(path, data=body, content_type=content_type)


def post_chunked(client, body):
    """POST a body without Content-Length, as a server that de-chunks the upload passes it."""
    return client.open(
        "/users",
        method="POST",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def padded_user(size):
    """A valid registration body, padded with white space to exactly `size` bytes."""
    body = json.dumps(NEW_USER).encode()
    return body + b" " * (size - len(body))


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/nope"),
        ("POST", "/nope"),
        ("GET", "/users/1/extra"),
        ("GET", "/docs/assets/nope.js"),
    ],
)
def test_request_unknown_route_is_not_found(client, method, path):
    assert_problem(client.open(path, method=method), 404, "not_found")


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/", "GET"),
        ("POST", "/health", "GET"),
        ("PATCH", "/user/1", "PUT"),
        ("PUT", "/users", "POST"),
    ],
)
def test_request_wrong_method_is_method_not_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert_problem(response, 405, "method_not_allowed")
    assert allowed in [m.strip() for m in response.headers["Allow"].split(",")]


def test_post_body_over_default_limit_is_payload_too_large(client):
    response = post_raw(client, padded_user(65536 + 1))
    assert_problem(response, 413, "payload_too_large")


@pytest.mark.parametrize("settings", [{"MAX_CONTENT_LENGTH": 200}], indirect=True)
def test_post_body_over_configured_limit_is_payload_too_large(client):
    assert_problem(post_raw(client, padded_user(201)), 413, "payload_too_large")


@pytest.mark.parametrize("settings", [{"MAX_CONTENT_LENGTH": 200}], indirect=True)
def test_post_body_at_configured_limit_is_read(client):
    assert post_raw(client, padded_user(200)).status_code == 201


@pytest.mark.parametrize("settings", [{"MAX_CONTENT_LENGTH": 200}], indirect=True)
@pytest.mark.parametrize("body", [b"x" * 201, padded_user(201), padded_user(200) + b"}"])
def test_post_chunked_body_over_limit_is_payload_too_large(client, body):
    assert_problem(post_chunked(client, body), 413, "payload_too_large")


@pytest.mark.parametrize("settings", [{"MAX_CONTENT_LENGTH": 200}], indirect=True)
def test_post_chunked_body_within_limit_is_read(client):
    assert post_chunked(client, padded_user(200)).status_code == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        None,
    ],
)
def test_post_non_json_body_is_unsupported_media_type(client, content_type):
    response = post_raw(client, json.dumps(NEW_USER), content_type=content_type)
    assert_problem(response, 415, "unsupported_media_type")


def test_post_empty_json_body_names_the_missing_fields(client):
    body = assert_problem(
        post_raw(client, b"", content_type="application/json"), 422, "validation_error"
    )
    assert set(body["errors"]) == {"name", "email", "password"}


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"name": }',
        b"{'name': 'x'}",
        b'{"a": 1} x',
        b" ",
        b"\xff\xfe{}",
        b'{"name": "\xc3\x28"}',
        b'{"name": "\xed\xa0\x80"}',
        b"[]",
        b"[1, 2]",
        b'"a string"',
        b"42",
        b"null",
        b"true",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
    ],
)
def test_post_malformed_json_is_bad_request(client, body):
    assert_problem(post_raw(client, body), 400, "bad_request")


@pytest.mark.parametrize("settings", [{"MAX_CONTENT_LENGTH": 1_000_000}], indirect=True)
@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 100_000, "[" * 100_000 + "]" * 100_000])
def test_post_absurdly_deep_json_is_bad_request(client, body):
    assert_problem(post_raw(client, body), 400, "bad_request")


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", r"Teszt \ud800 Elek"),
        ("name", r"Teszt \udfff"),
        ("name", r"Teszt \u0000 Elek"),
        ("email", r"teszt\u0000@example.com"),
        ("password", PASSWORD + r"\ud83d"),
        ("password", PASSWORD + r"\u0000"),
    ],
)
def test_post_forbidden_code_point_is_validation_error(client, field, value):
    body = json.dumps(NEW_USER).replace(json.dumps(NEW_USER[field]), f'"{value}"')
    problem = assert_problem(post_raw(client, body), 422, "validation_error")
    assert list(problem["errors"]) == [field]


@pytest.fixture
def failing_view(app):
    """A route whose view raises an unexpected exception with a secret in its message."""

    def boom():
        raise RuntimeError("secret-detail")

    app.add_url_rule("/boom", "boom", boom)


def test_view_unexpected_exception_is_internal_error_without_detail(client, failing_view):
    response = client.get("/boom")
    assert_problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "secret-detail" not in text and "RuntimeError" not in text
    assert "Traceback" not in text


def test_view_unexpected_exception_is_logged_with_request_id(client, failing_view, caplog):
    response = client.get("/boom", headers={"X-Request-ID": "trace-me-42"})
    record = next(r for r in caplog.records if r.levelno >= logging.ERROR)
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "secret-detail" in caplog.text
    assert record.request_id == "trace-me-42" == response.get_json()["request_id"]
    assert "trace-me-42" in record.getMessage()


def standalone_client(settings):
    """A client of a fresh app outside pytest-flask's context: one app context per request."""
    app = create_app(settings)
    with app.app_context():
        migrations.upgrade(get_db())
    return app.test_client()


@pytest.fixture
def other_connection(database_url):
    """A second connection to the app's database, as another process would hold."""
    holder = WriteLockHolder(database_url)
    yield holder
    holder.close()


@pytest.mark.parametrize("settings", [{"DB_BUSY_TIMEOUT": 0.2}], indirect=True)
def test_write_to_locked_database_is_service_unavailable(client, other_connection):
    other_connection.hold()
    response = client.post("/users", json=NEW_USER)
    assert_problem(response, 503, "service_unavailable")
    assert response.headers["Retry-After"].isdigit()


@pytest.mark.parametrize("settings", [{"DB_BUSY_TIMEOUT": 0.2}], indirect=True)
def test_write_to_locked_database_recovers_after_release(settings, other_connection):
    client = standalone_client(settings)
    other_connection.hold()
    assert client.post("/users", json=NEW_USER).status_code == 503
    other_connection.release()
    assert client.post("/users", json=NEW_USER).status_code == 201


def garbage_file(path):
    path.write_bytes(b"this is not an SQLite database, just bytes " * 200)


def a_directory(path):
    path.mkdir()


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("spoil", [garbage_file, a_directory])
@pytest.mark.parametrize("method, path", [("GET", "/health"), ("POST", "/users")])
def test_request_on_unusable_database_is_service_unavailable(
    settings, tmp_path, spoil, method, path
):
    spoil(tmp_path / "spoilt.db")
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'spoilt.db'}"})
    response = app.test_client().open(path, method=method, json=NEW_USER)
    assert_problem(response, 503, "service_unavailable")
