"""The mails themselves: headers, text and HTML bodies (app/mail/messages.py)."""

from types import SimpleNamespace

import pytest

from app.mail import messages
from app.security.email_address import InvalidEmail

USER = SimpleNamespace(name='Elek <script>alert("x")</script>', email="teszt.elek@example.com")
LINK = "https://service.example/page?token=tok.en&x=1"
MAILS = {
    "reset": lambda: messages.password_reset(
        sender="no-reply@service.example", user=USER, link=LINK, token="tok.en", valid_minutes=60
    ),
    "verification": lambda: messages.email_verification(
        sender="no-reply@service.example", user=USER, link=LINK, token="tok.en"
    ),
}
KINDS = pytest.mark.parametrize("kind", ["reset", "verification"])


@KINDS
def test_mail_goes_to_user_from_sender(kind):
    message = MAILS[kind]()
    assert (message["From"], message["To"]) == ("no-reply@service.example", USER.email)
    assert message["Message-ID"].endswith("@service.example>")


@KINDS
def test_mail_text_carries_link_and_token(kind):
    text = MAILS[kind]().get_body(("plain",)).get_content()
    assert LINK in text.splitlines()
    assert "tok.en" in text.splitlines()


@KINDS
def test_mail_html_escapes_name_and_link(kind):
    html = MAILS[kind]().get_body(("html",)).get_content()
    assert "<script>" not in html
    assert 'href="https://service.example/page?token=tok.en&amp;x=1"' in html


def test_reset_mail_names_validity():
    assert "within 60 minutes" in MAILS["reset"]().get_body(("plain",)).get_content()


UNVERIFIED = SimpleNamespace(
    name="Visit https://evil.example now", email_verified=False, email="stranger@example.com"
)


@KINDS
def test_mail_to_unverified_address_carries_no_chosen_name(kind):
    message = (
        messages.email_verification(
            sender="no-reply@service.example", user=UNVERIFIED, link=LINK, token="tok.en"
        )
        if kind == "verification"
        else messages.password_reset(
            sender="no-reply@service.example",
            user=UNVERIFIED,
            link=LINK,
            token="tok.en",
            valid_minutes=60,
        )
    )
    for part in ("plain", "html"):
        content = message.get_body((part,)).get_content()
        assert "evil" not in content and "Visit" not in content


def test_mail_to_verified_address_greets_by_name():
    user = SimpleNamespace(name="Teszt Elek", email_verified=True, email="te@example.com")
    message = messages.password_reset(
        sender="no-reply@service.example", user=user, link=LINK, token="tok.en", valid_minutes=60
    )
    assert "Hello Teszt Elek," in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    "stored",
    [
        "a@evil.example,.corp.example",
        "x@evil.example(.corp.example)",
        "<attacker@evil.example>.corp.example",
        "Name <a@evil.example>",
        "Upper@Example.org",
    ],
)
def test_compose_with_address_not_in_stored_form_raises(stored):
    with pytest.raises(InvalidEmail):
        messages.compose(
            sender="no-reply@service.example", to=stored, subject="s", text="t", html="h"
        )


def test_compose_has_exactly_the_stored_address_as_recipient():
    message = messages.compose(
        sender="no-reply@service.example", to="josé@example.org", subject="s", text="t", html="h"
    )
    assert [str(address) for address in message["To"].addresses] == ["josé@example.org"]
