"""Response headers every response carries, and CORS for the configured origins."""

from flask_cors import CORS

from app.request_ids import HEADER as REQUEST_ID_HEADER
from app.request_ids import current_request_id


def _common_headers(response):
    """X-Request-ID and nosniff on everything; no Content-Type on an empty 204."""
    headers = response.headers
    headers[REQUEST_ID_HEADER] = current_request_id()
    headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 204:
        headers.pop("Content-Type", None)
    elif response.mimetype == "application/json" and "charset" not in headers["Content-Type"]:
        headers["Content-Type"] = "application/json; charset=utf-8"  # e.g. /openapi.json
    return response


def _vary_on_origin(response):
    response.vary.add("Origin")
    return response


def init_app(app):
    """Add the common headers; allow cross-origin calls only from CORS_ORIGINS."""
    app.after_request(_common_headers)
    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(app, origins=origins, expose_headers=[REQUEST_ID_HEADER],
             allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER])
        # Answers differ by Origin, so shared caches must key on it.
        app.after_request(_vary_on_origin)
