"""POST /email/verify and /users/{ref}/verification-email over a real SMTP server."""

import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

from app.security import account_tokens
from tests.helpers import PASSWORD, assert_problem, token_in
from tests.mail_server import (  # noqa: F401 (fixtures)
    drain_outbox,
    link_in,
    received,
    smtp_server,
    with_smtp,
)

VERIFY = "Confirm your email address"
WEEK = 7 * 24 * 3600
NEW_USER = {"name": "Teszt Elek", "email": "teszt.elek@example.com", "password": PASSWORD}


pytestmark = pytest.mark.usefixtures("drain_outbox")


@pytest.fixture
def settings(settings, smtp_server, request):
    """Mail goes to the test SMTP server."""
    return with_smtp(settings, smtp_server, request)


@pytest.fixture
def inbox(app, smtp_server):
    """The verification mails the SMTP server received for `to`, once the outbox is idle."""
    return lambda to: received(app, smtp_server, to, VERIFY)


@pytest.fixture
def verified(client, user, inbox):
    """The user, after it confirmed its address with the registration mail."""
    assert verify(client, token_in(inbox(user.email)[0])).status_code == 204
    return user


def verify(client, token):
    return client.post("/email/verify", json={"token": token})


def me(client, headers):
    return client.get("/users/me", headers=headers).get_json()


def resend(client, ref, headers=None):
    return client.post(f"/users/{ref}/verification-email", headers=headers or {})


# --- registration and POST /email/verify -------------------------------------------------


def test_register_mails_verification_link(client, inbox):
    assert client.post("/users", json=NEW_USER).status_code == 201
    [message] = inbox(NEW_USER["email"])
    link = urlsplit(link_in(message))
    assert (link.netloc, link.path) == ("users.example", "/email/verify")


def test_verify_email_with_token_works_once(client, user, user_headers, inbox):
    token = token_in(inbox(user.email)[0])
    assert me(client, user_headers)["email_verified"] is False
    assert verify(client, token).status_code == 204
    assert me(client, user_headers)["email_verified"] is True
    assert_problem(verify(client, token), 400, "invalid_token")


def test_email_change_mails_new_address_and_voids_old_token(client, user, user_headers, inbox):
    old_token = token_in(inbox(user.email)[0])
    client.patch(
        "/users/me",
        json={"email": "moved@example.com", "current_password": PASSWORD},
        headers=user_headers,
    )
    [message] = inbox("moved@example.com")
    assert_problem(verify(client, old_token), 400, "invalid_token")
    assert verify(client, token_in(message)).status_code == 204
    assert me(client, user_headers)["email_verified"] is True


def test_email_change_unverifies_verified_address(client, verified, user_headers, inbox):
    client.patch(
        "/users/me",
        json={"email": "moved@example.com", "current_password": PASSWORD},
        headers=user_headers,
    )
    assert me(client, user_headers)["email_verified"] is False
    assert len(inbox("moved@example.com")) == 1


def test_verify_email_with_used_token_after_email_comes_back_is_invalid(
    client, user, verified, user_headers, inbox
):
    used = token_in(inbox(user.email)[0])
    for email in ("moved@example.com", user.email):
        client.patch(
            "/users/me", json={"email": email, "current_password": PASSWORD}, headers=user_headers
        )
    assert_problem(verify(client, used), 400, "invalid_token")


@pytest.mark.parametrize("age, status", [(WEEK - 100, 204), (WEEK + 1, 400)])
def test_verify_email_token_expires_after_a_week(app, client, user, monkeypatch, age, status):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age)
    token = account_tokens.make_verification_token(app.config["SECRET_KEY"], user)
    monkeypatch.undo()
    assert verify(client, token).status_code == status


def flipped(token):
    """The token with a signature character changed (the last one is partly padding)."""
    return token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]


@pytest.mark.parametrize(
    "change",
    [flipped, lambda t: t[:-5], lambda t: "not-a-token"],
    ids=["flipped", "truncated", "garbage"],
)
def test_verify_email_with_tampered_token_is_invalid(client, user, user_headers, inbox, change):
    token = token_in(inbox(user.email)[0])
    assert_problem(verify(client, change(token)), 400, "invalid_token")
    assert me(client, user_headers)["email_verified"] is False


def test_verify_email_with_reset_token_is_invalid(app, client, user):
    token = account_tokens.make_reset_token(app.config["SECRET_KEY"], user)
    assert_problem(verify(client, token), 400, "invalid_token")


@pytest.mark.parametrize(
    "settings", [{"EMAIL_VERIFY_URL": "https://app.example/v/{token}?x=1"}], indirect=True
)
def test_register_uses_link_template(client, inbox):
    client.post("/users", json=NEW_USER)
    [message] = inbox(NEW_USER["email"])
    link = link_in(message)
    assert link.startswith("https://app.example/v/") and link.endswith("?x=1")
    assert verify(client, urlsplit(link).path.removeprefix("/v/")).status_code == 204


def test_verify_link_opens_page_that_changes_nothing(client, user, user_headers, inbox):
    link = urlsplit(link_in(inbox(user.email)[0]))
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert '<script src="/static/account/account-pages.js">' in page.get_data(as_text=True)
    assert me(client, user_headers)["email_verified"] is False


# --- POST /users/{ref}/verification-email ------------------------------------------------


@pytest.mark.parametrize("who", ["user_headers", "admin_headers"])
def test_resend_verification_mails_fresh_token(client, user, inbox, request, who):
    response = resend(client, user.id, request.getfixturevalue(who))
    assert response.status_code == 202
    first, fresh = inbox(user.email)
    assert verify(client, token_in(fresh)).status_code == 204


def test_resend_verification_for_other_user_is_forbidden(client, user, make_user, login, inbox):
    other = make_user(email="other@example.com")
    assert_problem(resend(client, user.id, login(other)), 403, "forbidden")
    assert len(inbox(user.email)) == 1


def test_resend_verification_anonymous_is_unauthorized(client, user, inbox):
    assert_problem(resend(client, user.id), 401, "unauthorized")
    assert len(inbox(user.email)) == 1


def test_resend_verification_when_verified_sends_nothing(client, verified, user_headers, inbox):
    assert resend(client, "me", user_headers).status_code == 202
    assert len(inbox(verified.email)) == 1


def test_resend_verification_for_unknown_user_is_not_found(client, admin_headers):
    assert_problem(resend(client, 9999, admin_headers), 404, "not_found")


@pytest.mark.parametrize(
    "email",
    [
        "<attacker@evil.example>.corp.example",
        "x@evil.example(.corp.example)",
        "a@evil.example,.corp.example",
        "Name <a@evil.example>",
        '"quoted"@evil.example',
        "a@evil.example a@corp.example",
        "a@[127.0.0.1]",
    ],
)
def test_register_with_address_that_is_not_one_plain_addr_spec_is_invalid(
    app, client, smtp_server, email
):
    response = client.post("/users", json={**NEW_USER, "email": email})
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"email"}
    assert app.extensions["mail_outbox"].join()
    assert smtp_server.inbox.envelopes == []


def test_register_mails_exactly_the_stored_address(app, client, smtp_server):
    response = client.post("/users", json={**NEW_USER, "email": "Teszt.ELEK@Example.COM"})
    assert response.get_json()["email"] == "teszt.elek@example.com"
    assert app.extensions["mail_outbox"].join()
    assert [envelope.rcpt_tos for envelope in smtp_server.inbox.envelopes] == [
        ["teszt.elek@example.com"]
    ]


def test_register_verification_mail_carries_no_text_the_registrant_chose(client, inbox):
    name = "Win a prize at https://evil.example now"
    assert client.post("/users", json={**NEW_USER, "name": name}).status_code == 201
    [message] = inbox(NEW_USER["email"])
    for part in ("plain", "html"):
        content = message.get_body((part,)).get_content()
        assert "prize" not in content and "evil.example" not in content
