"""Problem documents (RFC 9457): titles, codes and the response builder.

Pure and low: the error handlers (app/http/error_handlers.py), the rate limits, the
health route and the OpenAPI document all build or describe problems with it.
"""

import json
from http import HTTPStatus

from flask import current_app

from app.request_ids import current_request_id

PROBLEM_MIMETYPE = "application/problem+json"
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def title(status):
    """Return the reason phrase of a status, in RFC 9110 wording."""
    return TITLES.get(status) or HTTPStatus(status).phrase


def problem(status, detail, *, code=None, errors=None, headers=None, extra=None):
    """Build a problem+json response."""
    body = {
        "type": "about:blank",
        "title": title(status),
        "status": status,
        "detail": detail,
        "code": code or CODES.get(status, "error"),
        "request_id": current_request_id(),
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = current_app.response_class(json.dumps(body), status, mimetype=PROBLEM_MIMETYPE)
    if status == 401:
        challenge = 'Bearer error="invalid_token"' if code == "invalid_token" else "Bearer"
        response.headers["WWW-Authenticate"] = challenge
    response.headers.extend(headers or {})
    return response
