"""Where mail goes: the console, `.eml` files in a folder, or an SMTP server."""

import logging
import os
import smtplib
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)


class ConsoleBackend:
    """Development sink: logs that a mail was sent, and prints the whole mail to stdout.

    The body (with its token) goes to standard output only: log lines never carry tokens.
    """

    def deliver(self, message):
        logger.info(
            "mail to %s: %s (printed on stdout)",
            message["To"],
            message["Subject"],
            extra={"event": "mail.console"},
        )
        sys.stdout.write(f"----- mail -----\n{message.as_string()}\n----- end of mail -----\n")
        sys.stdout.flush()


class FileBackend:
    """Writes each mail as an RFC 5322 `.eml` file, atomically (temp file, then rename)."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def deliver(self, message):
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{uuid.uuid4().hex}.eml"
        with tempfile.NamedTemporaryFile(
            "wb", dir=self.directory, suffix=".tmp", delete=False
        ) as handle:
            try:
                handle.write(message.as_bytes())
            except BaseException:
                os.unlink(handle.name)
                raise
        os.replace(handle.name, target)


class SmtpBackend:
    """Sends through an SMTP server, optionally upgrading with STARTTLS and logging in."""

    def __init__(self, host, port, *, username=None, password=None, starttls=False, timeout=10):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def deliver(self, message):
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def backend_from_url(url, *, timeout=10):
    """Return the backend a MAIL_URL names (`console://`, `file:///dir`, `smtp://...`)."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return ConsoleBackend()
    if parts.scheme == "file":
        return FileBackend(unquote(parts.path))
    if parts.scheme in ("smtp", "smtp+starttls"):
        return SmtpBackend(
            parts.hostname or "localhost",
            parts.port or 25,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=parts.scheme == "smtp+starttls",
            timeout=timeout,
        )
    raise ValueError(f"unsupported MAIL_URL scheme {parts.scheme!r}")
