"""Response headers every response carries, and CORS for the configured origins."""

from flask_cors import CORS

from app.http.request_id import HEADER as REQUEST_ID_HEADER


def _security_headers(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
    return response


def _vary_on_origin(response):
    response.vary.add("Origin")
    return response


def init_app(app):
    """Add security headers; allow cross-origin calls only from CORS_ORIGINS."""
    app.after_request(_security_headers)
    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(app, origins=origins, expose_headers=[REQUEST_ID_HEADER],
             allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER])
        # Answers differ by Origin, so shared caches must key on it.
        app.after_request(_vary_on_origin)
