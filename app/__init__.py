"""User service: a layered Flask REST API.

Routes -> services -> repositories -> database, on SQLite (embedded, the default) or
PostgreSQL; `create_app` is the one place the pieces are wired (README, "Architecture").
"""

from app import cli, config, database, logs, mail, metrics, openapi
from app.framework_workarounds import FlaskRememberingSyncFunctions
from app.http import (
    client_origin,
    compression,
    error_handlers,
    headers,
    json_provider,
    no_cookie_sessions,
    rate_limits,
    scim_errors,
)
from app.routes import (
    account,
    account_pages,
    api_keys,
    audit_events,
    legacy,
    login,
    meta,
    mfa,
    passkeys,
    reauth,
    scim,
    sessions,
    users,
)
from app.routes import metrics as metrics_route


class UserService(FlaskRememberingSyncFunctions):
    """The Flask application class of the service (see app/framework_workarounds.py)."""


def create_app(overrides=None):
    """Build the application; `overrides` replace settings (tests use this)."""
    app = UserService(__name__, static_folder=None)
    app.config.from_mapping(config.build(overrides))
    json_provider.init_app(app)
    app.json.sort_keys = False
    app.json.mimetype = "application/json; charset=utf-8"
    logs.init_app(app)
    metrics.init_app(app)
    metrics_route.init_app(app)
    database.init_app(app)
    mail.init_app(app)
    no_cookie_sessions.init_app(app)
    compression.init_app(app)
    headers.init_app(app)
    rate_limits.init_app(app)
    client_origin.init_app(app)
    app.register_blueprint(scim.blp)  # before the OpenAPI document, which reads its rules
    openapi.init_app(
        app,
        [
            meta.blp,
            users.blp,
            login.blp,
            account.blp,
            account_pages.blp,
            legacy.blp,
            reauth.blp,
            mfa.blp,
            passkeys.blp,
            api_keys.blp,
            sessions.blp,
            audit_events.blp,
        ],
    )
    scim_errors.init_app(app)
    error_handlers.init_app(app)
    cli.init_app(app)
    return app
