"""Where mail goes: console, `.eml` files, a real SMTP server (app/mail/backends.py)."""

import email
import logging
import smtplib
import socket
import time
from email import policy
from pathlib import Path

import pytest

from app.mail import backends, messages
from tests.mail_server import PASSWORD, USERNAME, smtp_auth_server, smtp_server  # noqa: F401

HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


def a_message(to="someone@example.com", subject="Hello"):
    return messages.compose(
        sender="no-reply@service.example",
        to=to,
        subject=subject,
        text="Open https://service.example/x?token=abc\n",
        html='<p><a href="https://service.example/x?token=abc">x</a></p>',
    )


def parse(data):
    return email.message_from_bytes(data, policy=policy.default)


# --- file:// -------------------------------------------------------------------------


def test_file_deliver_writes_one_eml_per_mail(tmp_path):
    backend = backends.FileBackend(tmp_path / "out")
    for subject in ("one", "two", "three"):
        backend.deliver(a_message(subject=subject))
    files = list((tmp_path / "out").iterdir())
    assert sorted(path.suffix for path in files) == [".eml"] * 3
    assert sorted(parse(path.read_bytes())["Subject"] for path in files) == ["one", "three", "two"]


def test_file_deliver_writes_rfc5322_message(tmp_path):
    backends.FileBackend(tmp_path).deliver(a_message(to="a@example.org"))
    message = parse(next(tmp_path.glob("*.eml")).read_bytes())
    assert all(message[header] for header in HEADERS)
    assert message["To"] == "a@example.org"
    assert message["From"] == "no-reply@service.example"
    assert message.get_content_type() == "multipart/alternative"
    assert "token=abc" in message.get_body(("plain",)).get_content()
    assert 'href="https://service.example/x?token=abc"' in message.get_body(("html",)).get_content()


def test_file_deliver_leaves_no_temp_file(tmp_path):
    backends.FileBackend(tmp_path).deliver(a_message())
    assert [path.suffix for path in tmp_path.iterdir()] == [".eml"]


class Peeking:
    """A message that notes which files exist while it is being written out."""

    def __init__(self, directory):
        self.directory, self.seen = directory, None

    def as_bytes(self):
        self.seen = sorted(path.suffix for path in self.directory.iterdir())
        return a_message().as_bytes()


def test_file_deliver_shows_no_eml_while_writing(tmp_path):
    message = Peeking(tmp_path)
    backends.FileBackend(tmp_path).deliver(message)
    assert ".eml" not in message.seen
    assert [path.suffix for path in tmp_path.iterdir()] == [".eml"]


class Unwritable:
    """A message that fails while it is being written (as a full disk would)."""

    def as_bytes(self):
        raise OSError("No space left on device")


def test_file_deliver_failure_leaves_no_file(tmp_path):
    with pytest.raises(OSError):
        backends.FileBackend(tmp_path).deliver(Unwritable())
    assert list(tmp_path.iterdir()) == []


# --- smtp:// -------------------------------------------------------------------------


def test_smtp_deliver_reaches_server(smtp_server):
    backends.backend_from_url(smtp_server.url).deliver(a_message(to="rcpt@example.org"))
    [envelope] = smtp_server.inbox.envelopes
    assert envelope.rcpt_tos == ["rcpt@example.org"]
    assert envelope.mail_from == "no-reply@service.example"
    assert parse(envelope.content)["Subject"] == "Hello"


def test_smtp_deliver_with_credentials_logs_in(smtp_auth_server):
    url = f"smtp://{USERNAME}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{smtp_auth_server.port}"
    backends.backend_from_url(url).deliver(a_message())
    assert smtp_auth_server.inbox.logins == [(USERNAME, PASSWORD)]
    assert len(smtp_auth_server.inbox.messages(subject="Hello")) == 1


@pytest.mark.parametrize("credentials", ["", f"{USERNAME}:wrong@"])
def test_smtp_deliver_without_right_credentials_fails(smtp_auth_server, credentials):
    url = f"smtp://{credentials}127.0.0.1:{smtp_auth_server.port}"
    with pytest.raises(smtplib.SMTPException):
        backends.backend_from_url(url).deliver(a_message())
    assert smtp_auth_server.inbox.envelopes == []


def test_smtp_deliver_with_starttls_refuses_server_without_tls(smtp_server):
    url = f"smtp+starttls://127.0.0.1:{smtp_server.port}"
    with pytest.raises(smtplib.SMTPNotSupportedError):
        backends.backend_from_url(url).deliver(a_message())
    assert smtp_server.inbox.envelopes == []


def test_smtp_deliver_to_closed_port_raises():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(OSError):
            backends.SmtpBackend("127.0.0.1", port, timeout=1).deliver(a_message())


def test_smtp_deliver_to_silent_server_times_out():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        started = time.monotonic()
        with pytest.raises(OSError):
            backends.SmtpBackend(*sock.getsockname(), timeout=0.3).deliver(a_message())
    assert time.monotonic() - started < 3


# --- console:// ----------------------------------------------------------------------


def test_console_deliver_logs_recipient_but_not_body(caplog, capsys):
    caplog.set_level(logging.INFO, logger=backends.__name__)
    backends.ConsoleBackend().deliver(a_message(to="c@example.org"))
    assert "c@example.org" in caplog.text
    assert "token=abc" not in caplog.text


def test_console_deliver_prints_mail_to_stdout(capsys):
    backends.backend_from_url("console://").deliver(a_message(to="c@example.org"))
    out = capsys.readouterr().out
    assert "To: c@example.org" in out
    assert "Subject: Hello" in out


# --- backend_from_url ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url, kind",
    [
        ("console://", backends.ConsoleBackend),
        ("file:///var/mail/service", backends.FileBackend),
        ("smtp://mail.example:2525", backends.SmtpBackend),
        ("smtp+starttls://mail.example:587", backends.SmtpBackend),
    ],
)
def test_backend_from_url_picks_backend(url, kind):
    assert type(backends.backend_from_url(url)) is kind


def test_backend_from_url_reads_file_directory():
    assert backends.backend_from_url("file:///var/mail/my%20box").directory == Path(
        "/var/mail/my box"
    )


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://mail.example:2525", ("mail.example", 2525, None, None, False)),
        ("smtp://mail.example", ("mail.example", 25, None, None, False)),
        ("smtp://user:pass@mail.example:587", ("mail.example", 587, "user", "pass", False)),
        ("smtp://u%40x:p%3Ass@mail.example:587", ("mail.example", 587, "u@x", "p:ss", False)),
        ("smtp+starttls://user:pass@mail.example:587", ("mail.example", 587, "user", "pass", True)),
    ],
)
def test_backend_from_url_reads_smtp_settings(url, expected):
    backend = backends.backend_from_url(url)
    assert (
        backend.host,
        backend.port,
        backend.username,
        backend.password,
        backend.starttls,
    ) == expected


def test_backend_from_url_passes_timeout():
    assert backends.backend_from_url("smtp://mail.example", timeout=3).timeout == 3


@pytest.mark.parametrize(
    "url", ["http://mail.example", "smtps://mail.example:465", "", "mail.example:25", "sendmail://"]
)
def test_backend_from_url_rejects_unknown_scheme(url):
    with pytest.raises(ValueError, match="MAIL_URL"):
        backends.backend_from_url(url)


# --- through the app (conftest's MAIL_URL is file://<mail_dir>) -----------------------


def test_app_with_file_url_writes_each_mail_to_directory(app, client, mail_dir):
    client.post(
        "/users",
        json={
            "name": "New User",
            "email": "new@example.com",
            "password": "a long enough passphrase",
        },
    )
    assert app.extensions["mail_outbox"].join()
    [path] = mail_dir.glob("*.eml")
    assert parse(path.read_bytes())["To"] == "new@example.com"
