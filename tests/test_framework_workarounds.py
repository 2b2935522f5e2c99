"""The library internals app/framework_workarounds.py relies on are still there.

Each test here names what an upgrade of Flask, Flask-Limiter or flask-smorest must keep
for a workaround to keep working; when one fails, revisit that workaround.
"""

import inspect

import pytest
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields

from app import framework_workarounds
from app.framework_workarounds import (
    ErrorResponsesApi,
    deprecated_view,
    drop_limiter_request_hooks,
)
from app.http.rate_limits import limiter
from app.problems import PROBLEM_MIMETYPE

pytestmark = pytest.mark.engines("sqlite")


def test_flask_still_routes_every_call_through_ensure_sync(app, client):
    assert list(inspect.signature(Flask.ensure_sync).parameters) == ["self", "func"]
    app._sync_functions.clear()
    assert client.get("/health/live").status_code == 200
    assert app._sync_functions, "Flask no longer calls ensure_sync: the cache does nothing"


def test_remembered_sync_functions_are_bounded(app):
    app._sync_functions.clear()
    for _ in range(framework_workarounds.MAX_REMEMBERED_FUNCTIONS + 10):
        app.ensure_sync(lambda: None)
    assert len(app._sync_functions) == framework_workarounds.MAX_REMEMBERED_FUNCTIONS


def test_limiter_still_registers_app_wide_hooks_we_can_find():
    app = Flask(__name__)
    bare = Limiter(key_func=get_remote_address, storage_uri="memory://")
    bare.init_app(app)
    assert drop_limiter_request_hooks(app, bare) >= 1, (
        "Flask-Limiter's app-wide hooks are no longer found: the hook surgery does nothing"
    )
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        assert not [
            h for h in hooks.get(None, []) if framework_workarounds.is_limiter_hook(h, bare)
        ]


def test_service_app_has_no_limiter_hooks_left(app):
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        assert not [
            h for h in hooks.get(None, []) if framework_workarounds.is_limiter_hook(h, limiter)
        ]


class _Query(Schema):
    q = fields.String()


def test_smorest_still_keeps_view_docs_in_apidoc():
    blp = Blueprint("probe", __name__)

    @blp.arguments(_Query, location="query")
    @blp.doc(summary="probe")
    def view(query):
        return query

    assert isinstance(view._apidoc, dict) and "manual_doc" in view._apidoc
    copy = deprecated_view(view)
    assert copy._apidoc["manual_doc"]["deprecated"] is True
    assert "deprecated" not in view._apidoc["manual_doc"]


def test_smorest_still_registers_error_responses_through_the_hook_we_override():
    assert callable(getattr(Api, "_register_responses", None)), (
        "flask-smorest renamed _register_responses: errors would be documented as JSON"
    )
    app = Flask(__name__)
    app.config.update(API_TITLE="probe", API_VERSION="1", OPENAPI_VERSION="3.0.3")

    class ProbeApi(ErrorResponsesApi):
        ERROR_SCHEMA = _Query
        ERROR_MIMETYPE = PROBLEM_MIMETYPE

    api = ProbeApi(app)
    # Lazy components appear once used; register one use to see it.
    api.spec.components.get_ref("response", "NOT_FOUND")
    responses = api.spec.to_dict()["components"]["responses"]
    assert list(responses["NOT_FOUND"]["content"]) == [PROBLEM_MIMETYPE]
