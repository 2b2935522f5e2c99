"""SCIM error responses (RFC 7644 section 3.12): what every /scim/v2 failure answers.

The error handlers answer every failure with a problem document; `init_app` turns each
one under /scim/v2 into the SCIM error it means, so unknown paths, wrong methods, 401,
403, 413, 415 and 500 speak SCIM there too.
"""

import json

from flask import current_app, request

PROBLEM_MIMETYPE = "application/problem+json"
# Headers a problem carries that its SCIM error keeps.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

SCIM_PREFIX = "/scim/v2"
SCIM_MIMETYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
# scimType values of RFC 7644 (table 9) that services raise as their error code.
SCIM_TYPES = {
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
}
# The REST answer -> the SCIM one, where they differ.
BY_CODE = {
    "email_taken": (409, "uniqueness"),
    "last_admin": (400, "mutability"),
    "validation_error": (400, "invalidValue"),
    "bad_request": (400, "invalidSyntax"),
}


def is_scim_path(path):
    """Tell whether a URL path (or an OpenAPI path template) is the SCIM API's."""
    return path == SCIM_PREFIX or path.startswith(SCIM_PREFIX + "/")


def is_scim_request():
    """Tell whether the request is addressed to the SCIM API."""
    return is_scim_path(request.path)


def scim_response(body, status=200, headers=None):
    """A SCIM JSON response."""
    response = current_app.response_class(json.dumps(body), status, mimetype=SCIM_MIMETYPE)
    response.headers.extend(headers or {})
    return response


def scim_error(status, detail, *, code=None, errors=None, headers=None):
    """A SCIM error; `code` (a scimType, or the REST code) chooses the status and type."""
    scim_type = code if code in SCIM_TYPES else None
    if code in BY_CODE:
        status, scim_type = BY_CODE[code]
    elif status == 422:
        status, scim_type = 400, "invalidValue"
    elif status == 400 and scim_type is None:  # a body that is not JSON
        scim_type = "invalidSyntax"
    if errors:
        detail = f"{detail} " + "; ".join(
            f"{field}: {' '.join(map(str, messages))}" for field, messages in errors.items()
        )
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = scim_response(body, status, headers)
    if status == 401:
        response.headers["WWW-Authenticate"] = (
            'Bearer error="invalid_token"' if code == "invalid_token" else "Bearer"
        )
    return response


def _problem_to_scim(response):
    """After every request: a problem document under /scim/v2 becomes a SCIM error."""
    if response.mimetype != PROBLEM_MIMETYPE or not is_scim_request():
        return response
    problem = json.loads(response.get_data(as_text=True))
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    scim = scim_error(
        response.status_code,
        problem.get("detail") or "",
        code=problem.get("code"),
        errors=problem.get("errors"),
        headers=headers,
    )
    if "WWW-Authenticate" in headers:
        scim.headers["WWW-Authenticate"] = headers["WWW-Authenticate"]
    return scim


def init_app(app):
    """Register the conversion; registered last, it runs before the other after_request
    functions (compression, common headers) see the response."""
    app.after_request(_problem_to_scim)
