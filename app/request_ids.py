"""The id of the request being served: the caller's `X-Request-ID` when sane, else a fresh one.

Low on purpose: logs, problem documents, response headers and mail all read it, so it
imports nothing of the app (`app/http/headers.py` sets the response header).
"""

import re
import uuid

from flask import has_request_context, request

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Kept in the WSGI environ: it lives exactly as long as the request.
ENVIRON_KEY = "user_service.request_id"


def current_request_id():
    """Return the id of the request being served (made on first use)."""
    if not has_request_context():
        return None
    environ = request.environ
    if ENVIRON_KEY not in environ:
        offered = request.headers.get(HEADER, "")
        environ[ENVIRON_KEY] = offered if SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    return environ[ENVIRON_KEY]
