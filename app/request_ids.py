"""The id of the request being served: the caller's `X-Request-ID` when sane, else a fresh one.

Low on purpose: logs, problem documents, response headers and mail all read it, so it
imports nothing of the app (`app/http/headers.py` sets the response header).
"""

import re
import uuid

from flask import request

HEADER = "X-Request-ID"
WSGI_HEADER = "HTTP_X_REQUEST_ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Kept in the WSGI environ: it lives exactly as long as the request.
ENVIRON_KEY = "user_service.request_id"


def current_request_id():
    """Return the id of the request being served (made on first use)."""
    try:
        environ = request.environ
    except RuntimeError:  # outside a request
        return None
    return request_id_of(environ)


def request_id_of(environ):
    """Return the id of the request a WSGI environ describes (made on first use)."""
    if ENVIRON_KEY not in environ:
        offered = environ.get(WSGI_HEADER, "")
        environ[ENVIRON_KEY] = offered if SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    return environ[ENVIRON_KEY]
