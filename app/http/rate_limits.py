"""Per-client request limits on the authentication routes (Flask-Limiter)."""

import math
import time

from flask import current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from app.framework_workarounds import drop_limiter_request_hooks
from app.problems import problem

# The extension object; each app binds it in init_app. The client is the socket's
# address unless TRUSTED_PROXIES says how many proxies' X-Forwarded-For to believe.
limiter = Limiter(key_func=get_remote_address)


def _auth_limit():
    return current_app.config["RATE_LIMIT_AUTH"]


# Decorates login, registration, refresh and the mail-sending routes.
auth_rate_limit = limiter.limit(_auth_limit, error_message="Too many requests; slow down.")


def _too_many_requests(error):
    """429 problem details with the seconds until the client's window resets."""
    reset_at = limiter.current_limit.reset_at if limiter.current_limit else time.time() + 1
    retry_after = max(1, math.ceil(reset_at - time.time()))
    return problem(429, error.description, headers={"Retry-After": str(retry_after)})


def init_app(app):
    """Bind the limiter to the app's storage; trust X-Forwarded-For only from proxies."""
    config = app.config
    config["RATELIMIT_ENABLED"] = config["RATE_LIMIT_AUTH"].strip() not in ("", "0")
    # A shared storage (Redis) that is down must not fail requests: count in this
    # process until it answers again, and do not wait long to find out.
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
    limiter.init_app(app)
    # Only the decorated routes pay for limiting (see app/framework_workarounds.py).
    drop_limiter_request_hooks(app, limiter)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    if config["TRUSTED_PROXIES"] > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=config["TRUSTED_PROXIES"], x_proto=config["TRUSTED_PROXIES"]
        )
