"""gunicorn's own log lines are written like the app's and carry no token (issue 12, item 8)."""

import json
import socket
import time

import pytest

from app import migrations
from tests.servers import service_env
from tests.test_serving_observability import CONFIG, LoggedGunicorn, migrate

pytestmark = pytest.mark.slow

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsInNpZCI6InNlY3JldC1zaWQifQ"
    ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
)
API_KEY = "usk_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"
SECRETS = (JWT, JWT.split(".")[1], JWT.split(".")[2], API_KEY)


def send_raw(port, header_line):
    """Send one request whose header block holds `header_line` as is; return the reply."""
    request = b"GET /users/me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header_line.encode() + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while data := sock.recv(65536):
            reply += data
    return reply


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_malformed_header_with_token_is_logged_redacted(tmp_path, log_format):
    migrate(tmp_path / "users.db", migrations.discover())
    env = service_env(tmp_path / "users.db", LOG_FORMAT=log_format)
    with LoggedGunicorn(env, workers=1, extra_args=CONFIG) as server:
        for line in (
            f"Authorization Bearer {JWT}",
            f"X-Api-Key {API_KEY}",
            f"Authorization:Bearer {JWT}\x01",
        ):
            assert send_raw(server.port, line).startswith(b"HTTP/1.1 400")
        time.sleep(0.5)  # let the worker write its lines
    invalid = [line for line in server.lines if "Invalid" in line]
    assert len(invalid) >= 2, server.lines
    assert not [line for line in server.lines if any(secret in line for secret in SECRETS)]
    assert any("[redacted]" in line for line in invalid)
    if log_format == "json":
        gunicorn_lines = [
            json.loads(line)
            for line in server.lines
            if line.startswith("{") and json.loads(line).get("logger", "").startswith("gunicorn")
        ]
        assert not [line for line in server.lines if line and not line.startswith("{")]
        assert {"level", "logger", "message", "time"} <= set(gunicorn_lines[0])
