"""Where we lean on library internals, each in the open with why.

Each piece below reaches past a library's public API, so an upgrade can break it
silently. tests/test_framework_workarounds.py checks the internals each relies on and
fails loudly when a library changes under it. Versions: requirements.txt.
"""

import copy
import functools
import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

# --- Flask: remember which functions are coroutines ------------------------------------
# Flask calls `ensure_sync` (and with it `inspect.iscoroutinefunction`) on every view,
# decorator layer and hook of every request. A cProfile of GET /users/me (commit 328321a,
# BENCHMARKS.md) put that at about 27 µs of a 413 µs request. Relies on: Flask routes
# every call through the overridable `Flask.ensure_sync(func)`.

MAX_REMEMBERED_FUNCTIONS = 1024


class FlaskRememberingSyncFunctions(Flask):
    """Flask, remembering `ensure_sync`'s answer for each function (bounded)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = {}

    def ensure_sync(self, func):
        # A view method is a new bound method each request: remember its function.
        key = getattr(func, "__func__", func)
        if self._sync_functions.get(key):
            return func
        wrapped = super().ensure_sync(func)
        if len(self._sync_functions) < MAX_REMEMBERED_FUNCTIONS:
            self._sync_functions[key] = wrapped is func
        return wrapped


# --- Flask-Limiter: drop its app-wide request hooks ------------------------------------
# Its before-request hook re-resolves default and blueprint limits on every request, its
# after-request hook writes X-RateLimit headers and its teardown resets state that lives
# on the request context anyway: about 130 µs of a 413 µs GET /users/me (commit 328321a,
# BENCHMARKS.md). We have no default or blueprint limits and send no such headers (429s
# carry Retry-After), so only the decorated routes pay for limiting. Relies on: the
# limiter registers its hooks in `app.before_request_funcs[None]` (and after/teardown)
# as bound methods of itself or `functools.partial`s holding it.


def drop_limiter_request_hooks(app, limiter):
    """Remove `limiter`'s app-wide per-request hooks from `app`; return how many."""
    dropped = 0
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        kept = [hook for hook in hooks.get(None, []) if not is_limiter_hook(hook, limiter)]
        dropped += len(hooks.get(None, [])) - len(kept)
        hooks[None] = kept
    return dropped


def is_limiter_hook(hook, limiter):
    """Whether a registered hook belongs to `limiter`."""
    if isinstance(hook, functools.partial):
        return any(arg is limiter for arg in hook.args)
    return getattr(hook, "__self__", None) is limiter


# --- flask-smorest: the document of one view reused, deprecated ------------------------
# flask-smorest keeps what its decorators document in a private `_apidoc` dict on the
# view function (with the `manual_doc` of `Blueprint.doc`). The legacy routes reuse the
# current views; copying that dict is the only way to document the copies as deprecated
# without writing every schema twice. Relies on: `function._apidoc["manual_doc"]`.


def deprecated_view(view):
    """A copy of a documented view, marked deprecated in the API document."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    wrapper._apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
    wrapper._apidoc.setdefault("manual_doc", {})["deprecated"] = True
    return wrapper


# --- flask-smorest: default error responses as problem details -------------------------
# flask-smorest registers a component response per HTTP status in the private
# `Api._register_responses`, with its own error schema and `application/json`. Every error
# of ours is `application/problem+json` (RFC 9457), so the document must say so for all
# of them. Relies on: `Api._register_responses(self)` being called once from `Api.__init__`
# / `init_app`, and `flask_smorest.utils.prepare_response(response, spec, content_type)`.


class ErrorResponsesApi(Api):
    """flask-smorest's Api, documenting every error status as ERROR_MIMETYPE.

    Subclasses set ERROR_SCHEMA, ERROR_MIMETYPE and `error_title(status)`.
    """

    ERROR_MIMETYPE = "application/json"

    @staticmethod
    def error_title(status):
        return http.HTTPStatus(status).phrase

    def _register_responses(self):
        for status in http.HTTPStatus:
            if status >= 400:
                response = {"description": self.error_title(status), "schema": self.ERROR_SCHEMA}
                prepare_response(response, self.spec, self.ERROR_MIMETYPE)
                self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "An error, as problem details.", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, self.ERROR_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)
