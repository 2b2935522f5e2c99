"""Helpers of the observability tests: the app's log output as written, and mails written."""

import email
import io
import json
import logging
import re
from email import policy

HANDLER_NAME = "user-service"
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.,]\d{3} [A-Z]+ \S+ \[[^\]\s]+\] ")
TRACEBACK_LINE = "    |"
# Characters that some reader of a log (str.splitlines, editors, browsers) takes for a line end.
LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


class CapturedLog:
    """Everything the app's own root handler writes from now on, formatted as in production."""

    def __init__(self):
        handlers = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
        assert len(handlers) == 1, handlers
        self.buffer = io.StringIO()
        handlers[0].setStream(self.buffer)

    @property
    def text(self):
        return self.buffer.getvalue()

    def lines(self):
        """The lines as a log shipper cuts them: at "\\n" only."""
        return self.text.split("\n")[:-1]

    def records(self, **match):
        """The JSON objects of every line, keeping those with all the given values."""
        objects = [json.loads(line) for line in self.lines()]
        return [obj for obj in objects if all(obj.get(k) == v for k, v in match.items())]


def assert_lines_are_whole(log, log_format):
    """No input started a line: each is one JSON object, or a text header or traceback line."""
    assert not any(char in log.text for char in LINE_BREAKS), repr(log.text)
    for line in log.lines():
        if log_format == "json":
            assert isinstance(json.loads(line), dict), line
        else:
            assert TEXT_LINE.match(line) or line.startswith(TRACEBACK_LINE), line


def mails(mail_dir, subject, to=None):
    """The `.eml` files the file mail backend wrote with this subject (and recipient)."""
    paths = sorted(mail_dir.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    parsed = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]
    return [
        message
        for message in parsed
        if message["Subject"] == subject and to in (None, message["To"])
    ]
