"""Structured logs: one JSON object a line (or readable text), request ids, access lines."""

import logging
import re
import sys
import time
from datetime import datetime

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from app.request_ids import current_request_id

access_logger = logging.getLogger("app.access")
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Terminal escape sequences (CSI such as `\x1b[31m`, OSC, and two-character ones): the
# development server colours its banner and request lines with them.
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# A request line separates its parts with ASCII spaces only.
QUERY_STRING = re.compile(r"\?[^ ]*")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request it was logged in (if any)."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() if has_request_context() else None
        return True


class RedactQueryStrings(logging.Filter):
    """Drop query strings from the development server's request lines (tokens hide there)."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class SafeTextFormatter(logging.Formatter):
    """Readable lines in which no user input can start a line of its own."""

    def format(self, record):
        safe = logging.makeLogRecord(record.__dict__)
        message = strip_escape_codes(record.getMessage())
        safe.msg, safe.args = CONTROL_CHARACTERS.sub(_escape, message), None
        safe.request_id = getattr(record, "request_id", None) or "-"
        safe.exc_info = safe.exc_text = None
        line = super().format(safe)
        if record.exc_info:
            # Indented, so a message inside the traceback cannot pass for a log line.
            trace = self.formatException(record.exc_info)
            line += "".join(
                f"\n    | {CONTROL_CHARACTERS.sub(_escape, part)}" for part in trace.splitlines()
            )
        return line


class PlainJsonFormatter(JsonFormatter):
    """python-json-logger's formatter, without terminal escape codes in the message."""

    def format(self, record):
        message = record.getMessage()
        plain = strip_escape_codes(message)
        if plain == message:
            return super().format(record)
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg, clean.args = plain, None
        return super().format(clean)


def strip_escape_codes(text):
    """Drop terminal escape sequences (colours, cursor moves) from a message."""
    return ANSI_ESCAPE.sub("", text) if "\x1b" in text else text


def _escape(match):
    return match.group(0).encode("unicode_escape").decode("ascii")


class FastJsonFormatter(PlainJsonFormatter):
    """python-json-logger's formatter, writing the timestamp as text itself.

    The library hands the `datetime` to its encoder's fallback chain (a dozen type
    checks, then `isoformat()`); doing that here writes the same text for less.
    """

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        moment = log_data.get("time")
        if isinstance(moment, datetime):
            log_data["time"] = moment.isoformat()


def _json_formatter():
    # `timestamp="time"`: RFC 3339 in UTC with microseconds.
    return FastJsonFormatter(
        JSON_FIELDS, timestamp="time", rename_fields={"levelname": "level", "name": "logger"}
    )


def configure(app):
    """Send the app's records to stderr in LOG_FORMAT, replacing an earlier set-up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("user-service")
    json_format = app.config["LOG_FORMAT"] == "json"
    handler.setFormatter(_json_formatter() if json_format else SafeTextFormatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "user-service"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(RedactQueryStrings())


def _start_timer():
    g.request_started = time.perf_counter()


def _log_access(response):
    if not access_logger.isEnabledFor(logging.INFO):
        return response
    started = g.pop("request_started", None)
    user = g.get("current_user")
    current = request._get_current_object()  # one proxy lookup instead of six
    # The route template (`/users/<ref>`), never the raw path with its values.
    route = current.url_rule.rule if current.url_rule else "(unmatched)"
    access_logger.info(
        "%s %s %s",
        current.method,
        route,
        response.status_code,
        extra={
            "event": "http.request",
            "method": current.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "user_id": user.id if user else None,
            "client": current.remote_addr,
            "request_id": current_request_id(),
        },
    )
    return response


def init_app(app):
    """Configure logging and write one access line per request."""
    configure(app)
    app.before_request(_start_timer)
    app.after_request(_log_access)
