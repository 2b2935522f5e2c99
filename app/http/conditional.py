"""Conditional requests (RFC 9110 section 13): ETag, If-None-Match and If-Match.

Services compare the tag under their write lock (see `if_match`); this module only
reads the headers (Werkzeug parses the lists, `*` and weak tags) and writes them.
"""

from flask import current_app, request

# Flask-Compress gives a compressed representation its own strong tag, `"<tag>:gzip"`.
CODING_SUFFIXES = ("", ":br", ":gzip", ":deflate", ":zstd")

ETAG_HEADER = {
    "ETag": {
        "description": "Strong entity tag of the representation.",
        "schema": {"type": "string"},
    }
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETags (or `*`); when one names the current representation "
    "(weak comparison), the answer is 304 with no body.",
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETags (or `*`); unless one is the current representation's "
    "(strong comparison), nothing changes and the answer is 412.",
}
NOT_MODIFIED = {
    "description": "Not Modified: the `If-None-Match` tag is current.",
    "headers": ETAG_HEADER,
}


def _variants(etag):
    return [etag + suffix for suffix in CODING_SUFFIXES]


def if_match():
    """None without If-Match; otherwise a test that a current ETag satisfies it."""
    if "If-Match" not in request.headers:
        return None
    tags = request.if_match
    return lambda etag: tags.star_tag or any(tags.contains(tag) for tag in _variants(etag))


def is_not_modified(etag):
    """Tell whether If-None-Match names the representation with this ETag (weak comparison)."""
    if "If-None-Match" not in request.headers:
        return False
    tags = request.if_none_match
    return tags.star_tag or any(tags.contains_weak(tag) for tag in _variants(etag))


def not_modified(etag):
    """A 304 response: no body, the current ETag."""
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    return response


def etag_header(etag):
    """The response header naming a representation's strong ETag."""
    return {"ETag": f'"{etag}"'}
