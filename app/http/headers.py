"""Response headers every response carries, and CORS for the configured origins.

Security headers go on everything, errors and 304s included. API responses get the
tightest Content-Security-Policy; an HTML page gets one that allows what the page
itself loads: its own scripts and styles from this origin, its inline scripts by hash.
"""

import base64
import hashlib
import re

from flask_cors import CORS

from app.request_ids import HEADER as REQUEST_ID_HEADER
from app.request_ids import request_id_of

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
SECURITY_HEADER_ITEMS = tuple(SECURITY_HEADERS.items())
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# What an HTML page of ours needs beside its inline scripts' hashes: the docs page
# (Swagger UI) loads its files from /docs/assets, fetches /openapi.json, sends "try it
# out" requests and draws icons from data: URIs.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'{hashes}; style-src 'self';"
    " img-src 'self' data:; connect-src 'self'; base-uri 'none';"
    " form-action 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_policy(html):
    """The Content-Security-Policy of an HTML page: its inline scripts allowed by hash."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    )
    return PAGE_POLICY.format(hashes=hashes)


class CommonHeaders:
    """WSGI middleware: X-Request-ID, the security headers and the API's policy on every
    response, added to the header list the app hands to the server.

    At this level they cost a list concatenation; set through Flask's response object
    they took a sixth of a bare request (each `Headers.set` validates and scans).
    Inside ProxyFix, so a trusted proxy's `X-Forwarded-Proto: https` counts for HSTS.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start_with_common_headers(status, headers, exc_info=None):
            return start_response(status, _with_common_headers(environ, headers), exc_info)

        return self.wsgi_app(environ, start_with_common_headers)


def _with_common_headers(environ, headers):
    common = [(REQUEST_ID_HEADER, request_id_of(environ)), *SECURITY_HEADER_ITEMS]
    if not any(name.lower() == "content-security-policy" for name, _ in headers):
        common.append(("Content-Security-Policy", API_POLICY))
    if environ.get("wsgi.url_scheme") == "https":  # directly, or per a trusted proxy
        common.append(("Strict-Transport-Security", HSTS))
    own = {name.lower() for name, _ in common}
    return [header for header in headers if header[0].lower() not in own] + common


def _page_policy_and_content_type(response):
    """An HTML page's policy allows its inline scripts; no Content-Type on a 204."""
    if response.status_code in (204, 304):
        response.headers.pop("Content-Type", None)
        return response
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("text/html"):
        if (
            response.status_code == 200
            and not response.is_streamed
            and "Content-Security-Policy" not in response.headers
        ):
            response.headers["Content-Security-Policy"] = page_policy(
                response.get_data(as_text=True)
            )
    elif content_type.startswith("application/json") and "charset" not in content_type:
        response.headers["Content-Type"] = "application/json; charset=utf-8"  # /openapi.json
    return response


def _vary_on_origin(response):
    response.vary.add("Origin")
    return response


def init_app(app):
    """Add the common headers; allow cross-origin calls only from CORS_ORIGINS."""
    app.wsgi_app = CommonHeaders(app.wsgi_app)
    app.after_request(_page_policy_and_content_type)
    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(
            app,
            origins=origins,
            expose_headers=[REQUEST_ID_HEADER, "ETag"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                REQUEST_ID_HEADER,
                "If-Match",
                "If-None-Match",
            ],
        )
        # Answers differ by Origin, so shared caches must key on it.
        app.after_request(_vary_on_origin)
