"""The `X-Request-ID` of every request: the caller's when sane, else a fresh one."""

import re
import uuid

from flask import g, has_request_context, request

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def current_request_id():
    """Return the id of the request being served (made on first use)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        offered = request.headers.get(HEADER, "")
        g.request_id = offered if SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    return g.request_id


def _add_header(response):
    response.headers[HEADER] = current_request_id()
    return response


def init_app(app):
    """Echo the request id on every response."""
    app.after_request(_add_header)
