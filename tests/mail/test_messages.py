"""The mails themselves: headers, text and HTML bodies (app/mail/messages.py)."""

from types import SimpleNamespace

import pytest

from app.mail import messages

USER = SimpleNamespace(name='Elek <script>alert("x")</script>', email="teszt.elek@example.com")
LINK = "https://service.example/page?token=tok.en&x=1"
MAILS = {
    "reset": lambda: messages.password_reset(sender="no-reply@service.example", user=USER,
                                             link=LINK, token="tok.en", valid_minutes=60),
    "verification": lambda: messages.email_verification(sender="no-reply@service.example",
                                                        user=USER, link=LINK, token="tok.en"),
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
