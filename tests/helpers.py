"""Helpers shared by the tests: import them from here, never from a conftest."""

import json
import re

from hypothesis import settings

PASSWORD = "correct horse battery staple"

# No example database: the suite leaves no `.hypothesis/` folder in the checkout.
settings.register_profile("properties", max_examples=200, deadline=None, database=None)
# Hypothesis settings of the property tests: enough examples to matter, still quick.
PROPERTIES = settings.get_profile("properties")

# Every mail ends with "Or send this token to POST /...:" and the token on the next line.
TOKEN_AFTER = re.compile(r"POST /\S+:\r?\n(\S+)")


def assert_problem(response, status, code):
    """Check that a response is the contract's problem details."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def token_in(message):
    """The token a mail tells the reader to send to the API."""
    return TOKEN_AFTER.search(message.get_body(("plain",)).get_content()).group(1)


# gunicorn arguments that log the answering worker's pid with each request.
ACCESS_LOG_FORMAT = ("--access-logformat", "%(p)s %(m)s %(U)s %(s)s")


def workers_answering(log, path, status):
    """The pids of the workers that answered `path` with `status`, from an access log
    written with ACCESS_LOG_FORMAT (as plain lines, or as JSON lines whose message it is)."""
    pids = set()
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            line = json.loads(line)["message"]
        pid, _, url, code = line.split()
        if (url, code) == (path, status):
            pids.add(pid)
    return pids
