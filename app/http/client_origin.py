"""Where the current request comes from, for sessions and audit events.

The address is `request.remote_addr`: the socket's, or, with TRUSTED_PROXIES, the one
ProxyFix (app/http/rate_limits.py) read from that many proxies' `X-Forwarded-For`,
exactly the address the rate limits key on. Services ask through
`app.extensions["request_origin"]`, so they never read the request themselves.
"""

from flask import has_request_context, request
from flask_limiter.util import get_remote_address

from app.models import Origin
from app.request_ids import current_request_id

USER_AGENT_MAX_LENGTH = 256
NO_ORIGIN = Origin()


def request_origin():
    """The current request's Origin (an empty one outside a request)."""
    if not has_request_context():
        return NO_ORIGIN
    user_agent = request.headers.get("User-Agent")
    return Origin(
        ip=get_remote_address(),
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH] if user_agent else None,
        request_id=current_request_id(),
    )


def init_app(app):
    """Offer the services the request's origin."""
    app.extensions["request_origin"] = request_origin
