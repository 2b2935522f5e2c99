"""Structured logs: line shape, access lines, request ids, forged lines, tracebacks
(app/logs.py)."""

import json
import logging
import re
from datetime import datetime, timedelta

import pytest
from flask import request
from werkzeug.serving import WSGIRequestHandler
from werkzeug.urls import uri_to_iri

from app import create_app
from app.logs import RedactQueryStrings
from tests.observability import TRACEBACK_LINE, CapturedLog, assert_lines_are_whole


def formats(**extra):
    """Settings for each LOG_FORMAT, with `extra` settings."""
    return [pytest.param({"LOG_FORMAT": name, **extra}, id=name) for name in ("json", "text")]


in_json = pytest.mark.parametrize("settings", [{"LOG_FORMAT": "json"}], indirect=True)
in_text = pytest.mark.parametrize("settings", [{"LOG_FORMAT": "text"}], indirect=True)
in_each_format = pytest.mark.parametrize("settings", formats(), indirect=True)


@pytest.fixture
def boom(app):
    """A throwaway route that fails with the message given in `?q=`."""

    def fail():
        raise RuntimeError(request.args.get("q", "kaboom"))

    app.add_url_rule("/boom", "boom", fail)


@pytest.fixture
def logs(app, boom):
    """The log output from here on (mail queued by earlier fixtures is out first)."""
    assert app.extensions["mail_outbox"].join()
    return CapturedLog()


# --- line shape --------------------------------------------------------------------------


@in_json
def test_json_log_line_has_time_level_logger_message_request_id(client, logs):
    response = client.get("/")
    [line] = logs.records()
    assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
    assert (line["level"], line["request_id"]) == ("INFO", response.headers["X-Request-ID"])
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)


@in_text
def test_text_log_line_starts_with_timestamp_and_request_id(client, logs):
    client.get("/", headers={"X-Request-ID": "trace-7"})
    timestamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.fullmatch(timestamp + r" INFO app\.access \[trace-7\] GET / 200", logs.lines()[0])


# --- access lines ------------------------------------------------------------------------

ACCESS_CASES = [
    ("GET", "/", False, "/", 200),
    ("GET", "/users/{id}", True, "/users/<ref>", 200),
    ("GET", "/users/regular@example.com", True, "/users/<ref>", 200),
    ("GET", "/users/me", False, "/users/<ref>", 401),
    ("POST", "/login", False, "/login", 422),
    ("GET", "/no/such/route-secret", False, "(unmatched)", 404),
    ("DELETE", "/", False, "(unmatched)", 405),
    ("GET", "/boom", False, "/boom", 500),
]


@in_json
@pytest.mark.parametrize("method, path, authenticated, route, status", ACCESS_CASES)
def test_request_writes_one_access_line(
    client, user, user_headers, logs, method, path, authenticated, route, status
):
    response = client.open(
        path.format(id=user.id), method=method, headers=user_headers if authenticated else {}
    )
    [line] = logs.records(logger="app.access")
    assert response.status_code == status
    assert (line["event"], line["method"], line["route"], line["status"]) == (
        "http.request",
        method,
        route,
        status,
    )
    assert line["user_id"] == (user.id if authenticated else None)
    assert line["client"] == "127.0.0.1"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0


@in_json
@pytest.mark.parametrize("path", ["/users/{id}", "/users/regular@example.com"])
def test_access_line_names_route_template_not_raw_path(client, user, user_headers, logs, path):
    client.get(path.format(id=user.id), headers=user_headers)
    [line] = logs.records(logger="app.access")
    assert line["route"] == "/users/<ref>"
    assert path.format(id=user.id) not in json.dumps(line)
    assert "regular@example.com" not in json.dumps(line)


@pytest.mark.parametrize(
    "settings, client_address",
    [
        ({"LOG_FORMAT": "json", "TRUSTED_PROXIES": 1}, "203.0.113.7"),
        ({"LOG_FORMAT": "json", "TRUSTED_PROXIES": 0}, "127.0.0.1"),
    ],
    indirect=["settings"],
)
def test_access_line_client_follows_trusted_proxies(client, logs, client_address):
    client.get("/", headers={"X-Forwarded-For": "203.0.113.7"})
    [line] = logs.records(logger="app.access")
    assert line["client"] == client_address


@in_each_format
def test_request_lines_carry_the_callers_request_id(client, user, logs, settings):
    client.post(
        "/login",
        json={"email": user.email, "password": "not the password at all"},
        headers={"X-Request-ID": "trace-42"},
    )
    lines = logs.lines()
    assert len(lines) == 2  # login.failed, then the access line
    if settings["LOG_FORMAT"] == "json":
        assert [json.loads(line)["request_id"] for line in lines] == ["trace-42"] * 2
    else:
        assert all(" [trace-42] " in line for line in lines)


# --- user input cannot forge a line ------------------------------------------------------

INPUTS = {  # how the input is sent, and the formats whose lines show it
    "exception message": (lambda c, s: c.get("/boom", query_string={"q": s}), {"json", "text"}),
    "method": (lambda c, s: c.open("/", method="GET" + s), {"json", "text"}),
    "forwarded client": (
        lambda c, s: c.get("/", environ_overrides={"HTTP_X_FORWARDED_FOR": "203.0.113.7" + s}),
        {"json"},
    ),
    "request id": (
        lambda c, s: c.get("/", environ_overrides={"HTTP_X_REQUEST_ID": "id" + s}),
        set(),
    ),
    "login email": (
        lambda c, s: c.post("/login", json={"email": f"a{s}@example.com", "password": "x" * 15}),
        set(),
    ),
}


@pytest.mark.parametrize("settings", formats(TRUSTED_PROXIES=1), indirect=True)
@pytest.mark.parametrize("char", ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x0b"])
@pytest.mark.parametrize("where", INPUTS)
def test_user_input_with_line_break_cannot_start_a_log_line(client, logs, settings, char, where):
    send, shown_in = INPUTS[where]
    fake = "2026-01-01 00:00:00,000 INFO app.access [x] FORGED"
    send(client, f'{char}{fake}{char}{{"message": "FORGED"}}')
    assert_lines_are_whole(logs, settings["LOG_FORMAT"])
    assert ("FORGED" in logs.text) == (settings["LOG_FORMAT"] in shown_in)


# --- tracebacks --------------------------------------------------------------------------


@in_json
def test_unhandled_error_logs_traceback_with_request_id_in_json(client, logs):
    response = client.get("/boom")
    [error] = logs.records(logger="app.http.error_handlers")
    assert (error["level"], error["request_id"]) == ("ERROR", response.headers["X-Request-ID"])
    assert error["exc_info"].startswith("Traceback (most recent call last):")
    assert error["exc_info"].endswith("RuntimeError: kaboom")
    assert "kaboom" not in response.get_data(as_text=True)


@in_text
def test_unhandled_error_logs_indented_traceback_in_text(client, logs):
    response = client.get("/boom", headers={"X-Request-ID": "trace-500"})
    header, *trace, access = logs.lines()
    assert response.status_code == 500
    assert " ERROR app.http.error_handlers [trace-500] " in header
    assert " app.access [trace-500] GET /boom 500" in access
    assert all(line.startswith(TRACEBACK_LINE) for line in trace)
    assert trace[0] == "    | Traceback (most recent call last):"
    assert trace[-1] == "    | RuntimeError: kaboom"


# --- the development server's request lines ----------------------------------------------


def dev_server_line(path):
    """The request line as werkzeug's dev server logs it (decoded, control chars escaped)."""
    return f"GET {uri_to_iri(path)} HTTP/1.1".translate(WSGIRequestHandler._control_char_table)


def werkzeug_record(message, args):
    return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args, None)


REQUEST_LINE = '127.0.0.1 - - [22/Nov/2026 04:00:00] "%s" %s %s'
REDACTED = [
    (REQUEST_LINE, (dev_server_line("/password/reset?token=SECRET.x-y_z"), "200", "-")),
    (REQUEST_LINE, (dev_server_line("/email/verify?a=1&token=SECRET"), "200", "-")),
    (REQUEST_LINE, ("\x1b[33mGET /nope?access_token=SECRET HTTP/1.1\x1b[0m", "404", "-")),
    ("code %d, message %s", (400, "Bad request syntax ('GET /x?token=SECRET HTTP/1.1 y')")),
]


@pytest.mark.parametrize("message, args", REDACTED)
def test_werkzeug_request_line_has_query_string_redacted(message, args):
    record = werkzeug_record(message, args)
    assert RedactQueryStrings().filter(record)
    assert "SECRET" not in record.getMessage()
    assert "?" in record.getMessage() and "HTTP/1.1" in record.getMessage()


@pytest.mark.parametrize("escape", ["%C2%A0", "%E2%80%A8"])
def test_werkzeug_request_line_with_decoded_space_has_whole_query_redacted(escape):
    record = werkzeug_record(
        REQUEST_LINE, (dev_server_line(f"/password/reset?x={escape}&token=SECRET"), "200", "-")
    )
    RedactQueryStrings().filter(record)
    assert "SECRET" not in record.getMessage()


@in_each_format
def test_werkzeug_logger_goes_through_redaction(logs):
    logging.getLogger("werkzeug").info(REQUEST_LINE, "GET /x?token=SECRET HTTP/1.1", "200", "-")
    assert "GET /x?" in logs.text and "SECRET" not in logs.text


# What werkzeug's development server logs: a bold banner, coloured request lines.
COLOURED = [
    ("%s", ("\x1b[1mRunning on http://127.0.0.1:5000\x1b[0m",)),
    (REQUEST_LINE, ("\x1b[33mGET /nope HTTP/1.1\x1b[0m", "404", "-")),
    ("%s", ("\x1b[31m\x1b[1mWARNING: This is a development server.\x1b[0m",)),
]


@in_each_format
@pytest.mark.parametrize("message, args", COLOURED)
def test_dev_server_line_carries_no_terminal_escape_codes(logs, message, args):
    logging.getLogger("werkzeug").info(message, *args)
    assert "\x1b" not in logs.text and "\\u001b" not in logs.text and "\\x1b" not in logs.text
    shown = r"Running on http|GET /nope HTTP/1.1|WARNING: This is a development"
    assert re.search(shown, logs.text)


def test_configure_twice_keeps_one_redaction_filter(settings):
    create_app(settings)
    create_app(settings)
    filters = logging.getLogger("werkzeug").filters
    assert sum(isinstance(f, RedactQueryStrings) for f in filters) == 1
