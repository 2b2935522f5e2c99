"""Response headers every response carries, and CORS for the configured origins.

Security headers go on everything, errors and 304s included. API responses get the
tightest Content-Security-Policy; an HTML page gets one that allows what the page
itself loads: its own scripts and styles from this origin, its inline scripts by hash.
"""

import base64
import hashlib
import re

from flask import request
from flask_cors import CORS

from app.request_ids import HEADER as REQUEST_ID_HEADER
from app.request_ids import current_request_id

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
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


def _common_headers(response):
    """X-Request-ID and the security headers on everything; no Content-Type on a 204."""
    headers = response.headers
    headers[REQUEST_ID_HEADER] = current_request_id()
    headers.update(SECURITY_HEADERS)
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = (
            page_policy(response.get_data(as_text=True))
            if response.status_code == 200
            and response.mimetype == "text/html"
            and not response.is_streamed
            else API_POLICY
        )
    if request.is_secure:  # directly, or per a trusted proxy (rate_limits' ProxyFix)
        headers["Strict-Transport-Security"] = HSTS
    if response.status_code in (204, 304):
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
