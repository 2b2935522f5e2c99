"""The service as an operator runs it: flask CLI set-up, then gunicorn with 2 workers."""

import socket

import pytest

from tests.helpers import PASSWORD
from tests.servers import Gunicorn, flask_cli, service_env

pytestmark = pytest.mark.slow


@pytest.fixture
def production(tmp_path, database_url):
    """A migrated production database with one admin, created through the CLI."""
    env = service_env(tmp_path / "users.db", DATABASE_URL=database_url, RATE_LIMIT_AUTH="0")
    assert flask_cli(env, "db", "upgrade").returncode == 0
    created = flask_cli(
        env,
        "users",
        "create-admin",
        "--email",
        "root@example.com",
        "--name",
        "Root",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    return env


def _token(server, email):
    status, _, body = server.request("POST", "/login", {"email": email, "password": PASSWORD})
    assert status == 200, body
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_two_workers_see_the_same_users_and_tokens(production):
    with Gunicorn(production, workers=2) as server:
        status, _, created = server.request(
            "POST",
            "/users",
            {"name": "Worker Test", "email": "w@example.com", "password": PASSWORD},
        )
        assert status == 201
        user_auth, admin_auth = _token(server, "w@example.com"), _token(server, "root@example.com")
        for _ in range(20):
            status, _, me = server.request("GET", "/users/me", headers=user_auth)
            assert (status, me["id"]) == (200, created["id"])
            status, _, page = server.request("GET", "/users?q=worker", headers=admin_auth)
            assert [item["email"] for item in page["items"]] == ["w@example.com"]


def test_production_responses_hide_server_details(production):
    with Gunicorn(production, workers=1) as server:
        status, headers, body = server.request("GET", "/no/such/route")
    assert status == 404 and body["code"] == "not_found"
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert not any(char.isdigit() for char in headers.get("Server", ""))


def test_chunked_body_over_the_limit_is_413(production):
    env = {**production, "MAX_CONTENT_LENGTH": "1024"}
    with Gunicorn(env, workers=1) as server:
        chunk = b"x" * 4096
        raw = (
            b"POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + f"{len(chunk):x}\r\n".encode()
            + chunk
            + b"\r\n0\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(raw)
            reply = b""
            while data := sock.recv(65536):
                reply += data
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b'"code": "payload_too_large"' in body


@pytest.mark.parametrize("mail_url", ["", "console://"])
def test_production_commands_refuse_to_run_without_real_mail_url(tmp_path, mail_url):
    result = flask_cli(service_env(tmp_path / "users.db", MAIL_URL=mail_url), "db", "upgrade")
    assert result.returncode != 0
    assert "MAIL_URL" in result.stderr


def test_production_refuses_to_start_without_secret(tmp_path):
    env = service_env(tmp_path / "users.db", SECRET_KEY="short")
    result = flask_cli(env, "db", "upgrade")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
