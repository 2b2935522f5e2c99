"""Security mails over a real SMTP server: derived from the recorded events, sent only
once their change committed, to the right address, with no secret in them."""

import pytest

from app.database import get_db, transaction
from app.services import audit
from tests.helpers import PASSWORD, token_in
from tests.mail_server import (  # noqa: F401 (fixtures)
    drain_outbox,
    received,
    smtp_server,
    with_smtp,
)

NEW_PASSWORD = "a brand new passphrase 2026"
pytestmark = pytest.mark.usefixtures("drain_outbox")


@pytest.fixture
def settings(settings, smtp_server, request):
    return with_smtp(settings, smtp_server, request)


@pytest.fixture
def inbox(app, smtp_server):
    return lambda to, subject: received(app, smtp_server, to, subject)


def text_of(message):
    return message.get_body(("plain",)).get_content()


def assert_no_secret(message, *secrets):
    raw = message.as_string()
    for secret in (PASSWORD, NEW_PASSWORD, *secrets):
        assert secret not in raw


def test_password_change_mails_the_owner_what_when_and_from_where(
    client, user, user_headers, inbox
):
    body = {"password": NEW_PASSWORD, "current_password": PASSWORD}
    assert client.patch("/users/me", json=body, headers=user_headers).status_code == 200
    [message] = inbox(user.email, "Your password was changed")
    text = text_of(message)
    assert "password of your account was changed" in text
    assert "127.0.0.1" in text and "When: 20" in text
    assert user.name not in text
    assert_no_secret(message, user_headers["Authorization"].split()[1])


def test_admin_password_change_says_an_administrator_did_it(client, user, admin_headers, inbox):
    body = {"password": NEW_PASSWORD}
    assert client.patch(f"/users/{user.id}", json=body, headers=admin_headers).status_code == 200
    [message] = inbox(user.email, "Your password was changed")
    assert "an administrator" in text_of(message)


def test_email_change_mails_the_old_address_naming_the_new(client, user, user_headers, inbox):
    body = {"email": "moved@example.com", "current_password": PASSWORD}
    assert client.patch("/users/me", json=body, headers=user_headers).status_code == 200
    [message] = inbox(user.email, "Your email address was changed")
    assert message["To"] == user.email
    assert "moved@example.com" in text_of(message)
    assert inbox("moved@example.com", "Your email address was changed") == []


def test_password_reset_mails_a_notice_without_the_token(app, client, user, inbox):
    assert client.post("/password/forgot", json={"email": user.email}).status_code == 202
    [reset_mail] = inbox(user.email, "Reset your password")
    token = token_in(reset_mail)
    body = {"token": token, "password": NEW_PASSWORD}
    assert client.post("/password/reset", json=body).status_code == 204
    [message] = inbox(user.email, "Your password was reset")
    assert_no_secret(message, token)


@pytest.mark.parametrize(
    "event, subject",
    [
        ("mfa.enabled", "Two-factor authentication was turned on"),
        ("mfa.disabled", "Two-factor authentication was turned off"),
        ("mfa.reset", "Your second factors were removed"),
        ("passkey.added", "A passkey was added to your account"),
        ("api_key.created", "An API key was created for your account"),
    ],
)
def test_events_of_other_features_mail_their_subject(app, user, inbox, event, subject):
    """The MFA and API key features only record their events: the mail follows."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        with transaction(get_db()):
            audit.record(event, actor=user, subject=user.id, name="laptop")
    [message] = inbox(user.email, subject)
    assert "203.0.113.9" in text_of(message)
    assert "laptop" not in text_of(message)


def test_rolled_back_change_mails_nothing_and_stores_nothing(
    app, client, user, inbox, admin_headers
):
    with app.test_request_context(), pytest.raises(RuntimeError):
        with transaction(get_db()):
            audit.record("password.changed", actor=user, subject=user)
            raise RuntimeError("the change fails halfway")
    assert inbox(user.email, "Your password was changed") == []
    page = client.get("/audit-events?type=password.changed", headers=admin_headers).get_json()
    assert page["items"] == []
