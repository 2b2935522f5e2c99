"""POST /password/forgot and /password/reset over a real SMTP server, and the link pages."""

import logging
import statistics
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.security import account_tokens
from tests.helpers import PASSWORD, assert_problem, token_in
from tests.mail_server import (  # noqa: F401 (fixtures)
    drain_outbox,
    link_in,
    received,
    smtp_server,
    with_smtp,
)

NEW_PASSWORD = "a brand new passphrase 2026"
RESET = "Reset your password"
TEMPLATE = "https://app.example/reset?t={token}"
SMTP_DELAY = 0.05


pytestmark = pytest.mark.usefixtures("drain_outbox")


@pytest.fixture
def settings(settings, smtp_server, request):
    """Mail goes to the test SMTP server."""
    return with_smtp(settings, smtp_server, request)


@pytest.fixture
def inbox(app, smtp_server):
    """The mails with `subject` the SMTP server received for `to`, once the outbox is idle."""
    return lambda to, subject=RESET: received(app, smtp_server, to, subject)


@pytest.fixture
def reset_token(client, user, inbox):
    assert forgot(client, user.email).status_code == 202
    return token_in(inbox(user.email)[-1])


def forgot(client, email):
    return client.post("/password/forgot", json={"email": email})


def reset(client, token, password=NEW_PASSWORD):
    return client.post("/password/reset", json={"token": token, "password": password})


def log_in(client, password, email="regular@example.com"):
    return client.post("/login", json={"email": email, "password": password})


def token_made_ago(monkeypatch, seconds, make):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)
    token = make()
    monkeypatch.undo()
    return token


# --- POST /password/forgot -------------------------------------------------------------


@pytest.mark.parametrize("email", ["regular@example.com", "Regular@EXAMPLE.com"])
def test_forgot_password_for_known_email_mails_reset_link(client, user, inbox, email):
    assert forgot(client, email).status_code == 202
    [message] = inbox(user.email)
    assert message["From"] == "no-reply@localhost"
    link = urlsplit(link_in(message))
    assert (link.scheme, link.netloc, link.path) == ("https", "users.example", "/password/reset")
    assert token_in(message)


def test_forgot_password_link_ignores_a_forged_host_header(client, user, inbox):
    response = client.post(
        "/password/forgot", json={"email": user.email}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 202
    [message] = inbox(user.email)
    assert urlsplit(link_in(message)).netloc == "users.example"
    assert "evil.example" not in message.as_string()


def headers_but_request_id(response):
    return {key: value for key, value in response.headers.items() if key != "X-Request-ID"}


def test_forgot_password_answers_alike_for_unknown_email(client, user, inbox):
    known, unknown = forgot(client, user.email), forgot(client, "nobody@example.com")
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    assert known.status_code == 202
    assert headers_but_request_id(known) == headers_but_request_id(unknown)
    assert len(inbox(user.email)) == 1
    assert inbox("nobody@example.com") == []


def test_forgot_password_for_inactive_user_sends_nothing(client, make_user, inbox):
    inactive = make_user(email="gone@example.com", is_active=False)
    assert forgot(client, inactive.email).status_code == 202
    assert inbox(inactive.email) == []


def median_seconds(client, emails, rounds=20):
    """Median time of POST /password/forgot for each email, the calls interleaved."""
    durations = {email: [] for email in emails}
    for _ in range(rounds):
        for email in emails:
            started = time.perf_counter()
            forgot(client, email)
            durations[email].append(time.perf_counter() - started)
    return [statistics.median(durations[email]) for email in emails]


@pytest.mark.parametrize("smtp_server", [{"delay": SMTP_DELAY}], indirect=True)
def test_forgot_password_takes_alike_for_unknown_email(client, user, inbox):
    known, unknown = median_seconds(client, [user.email, "nobody@example.com"])
    # Each mail takes the server SMTP_DELAY: sending on the request path would show here.
    # (A ratio is no good: with the test client, composing the mail alone nearly triples
    # the ~0.5 ms of an unknown email.)
    assert known - unknown < SMTP_DELAY / 2
    assert len(inbox(user.email)) == 20


def test_reset_flow_logs_no_token(client, user, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    forgot(client, user.email)
    [message] = inbox(user.email)
    link, token = urlsplit(link_in(message)), token_in(message)
    client.get(f"{link.path}?{link.query}")
    reset(client, token)
    app_records = [r for r in caplog.records if r.name != "mail.log"]  # not aiosmtpd's
    assert any(getattr(r, "event", None) == "password.reset" for r in app_records)
    assert all(token not in f"{r.getMessage()} {vars(r)}" for r in app_records)


# --- POST /password/reset ---------------------------------------------------------------


def test_reset_password_with_token_works_once(client, reset_token):
    assert reset(client, reset_token).status_code == 204
    assert_problem(reset(client, reset_token, "yet another new passphrase"), 400, "invalid_token")


def test_reset_password_replaces_password(client, reset_token):
    reset(client, reset_token)
    assert_problem(log_in(client, PASSWORD), 401, "invalid_credentials")
    assert log_in(client, NEW_PASSWORD).status_code == 200


def test_reset_password_revokes_earlier_sessions(client, user_headers, reset_token):
    pair = log_in(client, PASSWORD).get_json()
    reset(client, reset_token)
    assert_problem(client.get("/users/me", headers=user_headers), 401, "invalid_token")
    refreshed = client.post("/token/refresh", json={"refresh_token": pair["refresh_token"]})
    assert_problem(refreshed, 401, "invalid_token")


@pytest.mark.parametrize("age, status", [(3500, 204), (3601, 400)])
def test_reset_password_token_expires_after_an_hour(app, client, user, monkeypatch, age, status):
    token = token_made_ago(
        monkeypatch, age, lambda: account_tokens.make_reset_token(app.config["SECRET_KEY"], user)
    )
    assert reset(client, token).status_code == status


def tampered(token, app, user):
    other_key = URLSafeTimedSerializer("another-secret-key", salt=account_tokens.RESET_SALT)
    return {
        "flipped signature": token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
        "flipped payload": ("x" if token[0] != "x" else "y") + token[1:],
        "truncated": token[:-5],
        "garbage": "not-a-token",
        "verification token": account_tokens.make_verification_token(
            app.config["SECRET_KEY"], user
        ),
        "other key": other_key.dumps({"uid": user.id, "pw": "0" * 32}),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "flipped signature",
        "flipped payload",
        "truncated",
        "garbage",
        "verification token",
        "other key",
    ],
)
def test_reset_password_with_tampered_token_is_invalid(app, client, user, reset_token, kind):
    token = tampered(reset_token, app, user)[kind]
    assert_problem(reset(client, token), 400, "invalid_token")
    assert log_in(client, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "password, reason",
    [
        ("too short", "at least 15"),
        ("my regular long passphrase", "email address"),
        ("polniypizdec0211", "too common"),
    ],
)
def test_reset_password_applies_password_policy(client, reset_token, password, reason):
    body = assert_problem(reset(client, reset_token, password), 422, "validation_error")
    assert reason in " ".join(body["errors"]["password"])
    assert reset(client, reset_token).status_code == 204


@pytest.mark.parametrize("settings", [{"PASSWORD_RESET_URL": TEMPLATE}], indirect=True)
def test_forgot_password_uses_link_template(client, user, inbox):
    forgot(client, user.email)
    [message] = inbox(user.email)
    assert link_in(message).startswith("https://app.example/reset?t=")
    [linked_token] = parse_qs(urlsplit(link_in(message)).query)["t"]
    assert linked_token == token_in(message)
    assert reset(client, linked_token).status_code == 204


# --- the pages the default links open ---------------------------------------------------


def test_reset_link_opens_page_that_changes_nothing(client, user, inbox):
    forgot(client, user.email)
    [message] = inbox(user.email)
    link = urlsplit(link_in(message))
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script src="/static/account/account-pages.js">' in page.get_data(as_text=True)
    assert log_in(client, PASSWORD).status_code == 200
    assert reset(client, token_in(message)).status_code == 204


def test_account_pages_script_is_served(client):
    with client.get("/static/account/account-pages.js") as response:
        assert response.status_code == 200
        assert "javascript" in response.mimetype
        assert "fetch(" in response.get_data(as_text=True)


def test_reset_password_with_token_mailed_before_email_change_is_invalid(
    client, user_headers, reset_token
):
    moved = client.patch(
        "/users/me",
        headers=user_headers,
        json={"email": "moved@example.com", "current_password": PASSWORD},
    )
    assert moved.status_code == 200
    assert_problem(reset(client, reset_token), 400, "invalid_token")
    assert log_in(client, PASSWORD, email="moved@example.com").status_code == 200


def test_reset_password_with_token_after_email_changed_away_and_back_is_invalid(
    client, user, user_headers, reset_token
):
    for email in ("moved@example.com", user.email):
        client.patch(
            "/users/me", headers=user_headers, json={"email": email, "current_password": PASSWORD}
        )
    assert_problem(reset(client, reset_token), 400, "invalid_token")
