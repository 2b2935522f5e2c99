"""User service: a layered Flask REST API (routes -> services -> repositories -> SQLite)."""

from flask import Flask

from app import cli, config, database, logs, mail, metrics, openapi
from app.http import client_origin, error_handlers, headers, no_cookie_sessions, rate_limits
from app.routes import (
    account, account_pages, audit_events, legacy, login, meta, sessions, users,
)


MAX_REMEMBERED_FUNCTIONS = 1024


class UserService(Flask):
    """Flask, remembering which functions are coroutines.

    Flask asks `inspect` about every view, decorator layer and hook on every
    request; on the hot path that was a sixth of the app's own time.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = {}

    def ensure_sync(self, func):
        try:
            return self._sync_functions[func]
        except KeyError:
            wrapped = super().ensure_sync(func)
            if len(self._sync_functions) < MAX_REMEMBERED_FUNCTIONS:
                self._sync_functions[func] = wrapped
            return wrapped


def create_app(overrides=None):
    """Build the application; `overrides` replace settings (tests use this)."""
    app = UserService(__name__, static_folder=None)
    app.config.from_mapping(config.build(overrides))
    app.json.sort_keys = False
    app.json.mimetype = "application/json; charset=utf-8"
    logs.init_app(app)
    metrics.init_app(app)
    database.init_app(app)
    mail.init_app(app)
    no_cookie_sessions.init_app(app)
    headers.init_app(app)
    rate_limits.init_app(app)
    client_origin.init_app(app)
    openapi.init_app(app, [meta.blp, users.blp, login.blp, account.blp, account_pages.blp,
                           legacy.blp, sessions.blp, audit_events.blp])
    error_handlers.init_app(app)
    cli.init_app(app)
    return app
