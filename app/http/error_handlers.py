"""Every failure becomes RFC 9457 problem details, in one place."""

import logging

from flask import g, request
from werkzeug.exceptions import HTTPException

from app import metrics
from app.database import DATABASE_ERRORS, DatabaseUnavailable, discard_db, is_unavailable
from app.problems import problem
from app.request_ids import current_request_id
from app.services import audit
from app.services import domain_errors as domain

logger = logging.getLogger(__name__)

STATUSES = {
    domain.InvalidRequest: 400,
    domain.InvalidInput: 422,
    domain.AuthenticationFailed: 401,
    domain.PermissionDenied: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.PreconditionFailed: 412,
    domain.RateLimited: 429,
}


def handle_domain_error(error):
    """Map a service's domain error to its status."""
    status = next(s for cls, s in STATUSES.items() if isinstance(error, cls))
    if error.code == "forbidden":
        audit.record(
            "authorization.denied",
            actor=g.get("current_user"),
            subject=error.subject,
            level=logging.WARNING,
            method=request.method,
            route=request.url_rule.rule if request.url_rule else None,
        )
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return problem(status, error.detail, code=error.code, errors=error.errors, headers=headers)


def handle_http_exception(error):
    """Werkzeug's errors (404, 405, 413, 415, webargs' 422...) as problems."""
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages is not None:
        where = "query parameters are" if "query" in messages else "request body is"
        return problem(
            422, f"The {where} invalid.", errors=_field_errors(messages), headers=headers
        )
    if error.code >= 500:
        return problem(error.code, "The server could not handle the request.")
    return problem(error.code, error.description, headers=headers)


def _field_errors(messages):
    """Flatten webargs' {location: {field: [...]}} into {field: [...]}; a list field's
    per-item messages ({"0": [...]}) become the field's own list, as the contract's
    `errors` maps each field to its messages."""
    flat = {}
    for location_errors in messages.values():
        if not isinstance(location_errors, dict):
            location_errors = {"_schema": location_errors}
        flat.update({field: _messages(found) for field, found in location_errors.items()})
    return flat


def _messages(found):
    if isinstance(found, dict):
        return [message for nested in found.values() for message in _messages(nested)]
    if isinstance(found, list):
        return [message for item in found for message in _messages(item)]
    return [str(found)]


def handle_database_error(error):
    """An unreachable, locked or read-only database is a 503; anything else a bug."""
    unavailable = is_unavailable(error)
    discard_db()
    metrics.count_database_error("unavailable" if unavailable else "error")
    if unavailable:
        logger.warning(
            "database unavailable: %s", error, extra={"request_id": current_request_id()}
        )
        return problem(
            503,
            "The service cannot reach its database; try again shortly.",
            headers={"Retry-After": "1"},
        )
    return handle_unexpected(error)


def handle_unexpected(error):
    """Log the cause with the request id; tell the client nothing about it."""
    logger.error(
        "unhandled error (request_id=%s)",
        current_request_id(),
        exc_info=error,
        extra={"request_id": current_request_id()},
    )
    return problem(500, "An unexpected error occurred.")


def init_app(app):
    """Register the handlers; later registrations win, so call after other extensions."""
    app.register_error_handler(domain.DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DatabaseUnavailable, handle_database_error)
    for driver_error in DATABASE_ERRORS:
        app.register_error_handler(driver_error, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
