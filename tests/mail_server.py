"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

Use the fixtures by importing them into a test module:
`from tests.mail_server import smtp_server  # noqa: F401`.
"""

import asyncio
import email
import re
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from tests.servers import free_port

USERNAME, PASSWORD = "mailer", "s3cret pass"


class Inbox:
    """The aiosmtpd handler: keeps every envelope and every login attempt."""

    def __init__(self, *, require_auth=False, delay=0.0):
        self.envelopes = []
        self.logins = []
        self.require_auth = require_auth
        self.delay = delay

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        # Done here, not with aiosmtpd's auth_required, which warns when TLS is not required.
        if self.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from, envelope.mail_options = address, mail_options
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        """aiosmtpd authenticator: accepts USERNAME/PASSWORD only."""
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == (USERNAME, PASSWORD), handled=False)

    def messages(self, to=None, subject=None):
        """The parsed messages received, optionally only those for `to` with `subject`."""
        found = []
        for envelope in self.envelopes:
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            if (to is None or to in envelope.rcpt_tos) and subject in (None, message["Subject"]):
                found.append(message)
        return found


def link_in(message):
    """The first line of the plain-text body that is a URL or a path: the mailed link."""
    lines = message.get_body(("plain",)).get_content().splitlines()
    return next(line for line in lines if re.fullmatch(r"(?:https?://|/)\S+", line))


class _TrackedSMTP(SMTP):
    """aiosmtpd's protocol, keeping a set of its open connections."""

    def __init__(self, *args, live, **kwargs):
        super().__init__(*args, **kwargs)
        self.live = live

    def connection_made(self, transport):
        super().connection_made(transport)
        self.live.add(self)

    def connection_lost(self, error):
        self.live.discard(self)
        super().connection_lost(error)


class _Controller(Controller):
    """A Controller that stops listening, then lets open connections end, then stops.

    aiosmtpd's stop() leaves connections open, and their transports then warn
    (ResourceWarning) when garbage-collected during a later test.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live = set()

    def factory(self):
        return _TrackedSMTP(self.handler, live=self.live, **self.SMTP_kwargs)

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        deadline = time.monotonic() + 5
        while self.live and time.monotonic() < deadline:
            time.sleep(0.01)
        for protocol in list(self.live):
            self.loop.call_soon_threadsafe(protocol.transport.close)
        super().stop()


class SmtpServer:
    """An aiosmtpd Controller on a free port; with `auth`, AUTH is required (no TLS)."""

    def __init__(self, *, auth=False, delay=0.0):
        self.inbox = Inbox(require_auth=auth, delay=delay)
        self.port = free_port()
        options = {}
        if auth:
            options = {"authenticator": self.inbox.authenticate, "auth_require_tls": False}
        self.controller = _Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp_server(request):
    """A running SMTP server; indirect parametrization passes SmtpServer options."""
    with SmtpServer(**getattr(request, "param", {})) as server:
        yield server


@pytest.fixture
def smtp_auth_server():
    """A running SMTP server that requires AUTH with USERNAME and PASSWORD."""
    with SmtpServer(auth=True) as server:
        yield server


def received(app, smtp_server, to, subject):
    """The mails for `to` with `subject` the server got, once the app's outbox is idle."""
    assert app.extensions["mail_outbox"].join()
    return smtp_server.inbox.messages(to=to, subject=subject)


def with_smtp(settings, smtp_server, request):
    """App settings that send mail to `smtp_server` (plus any indirect parametrization)."""
    return {
        **settings,
        "MAIL_URL": smtp_server.url,
        "MAIL_RETRY_DELAYS": (0,),
        **getattr(request, "param", {}),
    }


@pytest.fixture
def drain_outbox(app):
    """Let queued mail reach the server before it stops."""
    yield
    app.extensions["mail_outbox"].join()
