"""Per-client request limits on the authentication routes (Flask-Limiter)."""

import functools
import math
import time

from flask import current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from app.http.error_handlers import problem

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


def _drop_app_wide_hooks(app):
    """Remove the limiter's per-request hooks; keep its decorator checks.

    Its before-request hook re-resolves default and blueprint limits on every
    request (about 0.1 ms), its after-request hook writes X-RateLimit headers and
    its teardown resets state that lives on the request context anyway. We have
    no default or blueprint limits and send no such headers (429s carry
    Retry-After), so only the decorated routes pay for limiting.
    """
    for hooks in (app.before_request_funcs, app.after_request_funcs,
                  app.teardown_request_funcs):
        hooks[None] = [hook for hook in hooks.get(None, []) if not _is_limiter_hook(hook)]


def _is_limiter_hook(hook):
    if isinstance(hook, functools.partial):
        return any(arg is limiter for arg in hook.args)
    return getattr(hook, "__self__", None) is limiter


def init_app(app):
    """Bind the limiter to the app's storage; trust X-Forwarded-For only from proxies."""
    config = app.config
    config["RATELIMIT_ENABLED"] = config["RATE_LIMIT_AUTH"].strip() not in ("", "0")
    # A shared storage (Redis) that is down must not fail requests: count in this
    # process until it answers again, and do not wait long to find out.
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    limiter.init_app(app)
    _drop_app_wide_hooks(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    if config["TRUSTED_PROXIES"] > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config["TRUSTED_PROXIES"],
                                x_proto=config["TRUSTED_PROXIES"])
