"""The OpenAPI document and the Swagger UI page, served without any CDN."""

import http

import swagger_ui_bundle
from apispec import BasePlugin
from flask import Blueprint, send_from_directory
from marshmallow import validate

from app.framework_workarounds import ErrorResponsesApi
from app.http import scim_openapi
from app.http.bearer_auth import API_KEY_SECURITY, CREDENTIALS, route_scope
from app.http.scim_errors import is_scim_path
from app.problems import PROBLEM_MIMETYPE, title
from app.schemas import patterns
from app.schemas.fields import Email, Password, Rfc3339DateTime, Text
from app.schemas.mfa import MfaChallengeSchema
from app.schemas.problems import ProblemSchema

ASSETS_URL = "/docs/assets/"
SETTINGS = {
    "API_TITLE": "User service",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": ASSETS_URL,
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "tryItOutEnabled": True},
}
DESCRIPTION = """User management: registration, login with JWT access tokens,
and user administration. Every error is `application/problem+json` (RFC 9457)
with a machine-readable `code` and the `request_id` of the request.

SCIM 2.0 provisioning (RFC 7643, RFC 7644) lives at `/scim/v2` for identity providers
(the SCIM operations below), with an admin's API key that has the `scim` scope. It
speaks `application/scim+json`, and its errors are SCIM errors rather than problem
details. It also describes itself the SCIM way: `GET /scim/v2/ServiceProviderConfig`,
`/scim/v2/ResourceTypes` and `/scim/v2/Schemas`."""
EMAIL_DESCRIPTION = """One `@`, a dotted domain, no white space and no `/` (so that
`/users/{email}` can address it); printable, as every text field. A new address (register,
change) must moreover be one plain RFC 5322 addr-spec by the email-validator package: no
display name, comment, quoted local part, domain literal or second address."""
UNPRINTABLE_DESCRIPTION = """A string holding a character that is not printable: a control
(tab and newline included), format (invisible; the zero-width joiners aside), private-use,
unassigned, line or paragraph separator character. Text fields are `not` this. Lone
surrogates are rejected too, but no pattern can name them."""
UNPRINTABLE_NON_SPACE_DESCRIPTION = """A string holding an unprintable character (see
UnprintableCharacter) that is not white space: trimmed fields drop unprintable white space,
such as a tab, at either end."""


def _text_rule_components():
    """The schemas text fields refer to (app/schemas/patterns.py computes the patterns)."""
    return {
        "EmailAddress": {
            "description": EMAIL_DESCRIPTION,
            "pattern": patterns.email(),
            "not": _ref("UnprintableCharacter"),
        },
        "UnprintableCharacter": {
            "description": UNPRINTABLE_DESCRIPTION,
            "pattern": patterns.unprintable(),
        },
        "UnprintableNonSpace": {
            "description": UNPRINTABLE_NON_SPACE_DESCRIPTION,
            "pattern": patterns.unprintable_but_space(),
        },
    }


class CommonErrors(BasePlugin):
    """Document the errors every operation of a kind can answer with.

    Any body can be malformed (400), too large (413), of the wrong type (415) or
    invalid (422); any token can be missing or bad (401); any `{ref}` can name
    someone else (403) or no one (404); anything can meet an unavailable database.
    """

    def operation_helper(self, path=None, operations=None, **kwargs):
        if is_scim_path(path or ""):
            return  # SCIM errors, which app/http/scim_openapi.py lists itself
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            statuses = [500, 503]
            if "requestBody" in operation:
                statuses += [400, 413, 415, 422]
            if any(requirement for requirement in operation.get("security", [])):
                statuses.append(401)
            if "{ref}" in (path or ""):
                statuses += [403, 404]
            for status in statuses:
                responses.setdefault(str(status), http.HTTPStatus(status).name)


class ApiKeyScopes(BasePlugin):
    """Document, per operation, whether an API key may call it and with which scope.

    The scope comes from the same `route_scope` that enforces it. OpenAPI 3.0 gives
    scopes only to OAuth schemes, so it is named in `x-api-key-scope` and the
    description; a route that refuses keys lists `bearerAuth` (access tokens) alone.
    """

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            security = operation.get("security")
            if not security or security == API_KEY_SECURITY or is_scim_path(path or ""):
                continue
            scope = route_scope(path or "", method)
            if scope in (CREDENTIALS, None):
                note = (
                    "API keys are refused here (403 `forbidden`)."
                    if scope
                    else ("No API key scope covers this route (403 `insufficient_scope`).")
                )
            else:
                operation["security"] = [*security, *API_KEY_SECURITY]
                operation["x-api-key-scope"] = scope
                note = f"With an API key: scope `{scope}` (403 `insufficient_scope` without)."
            operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()


class SchemaRules(BasePlugin):
    """Add a marshmallow schema's `Meta.json_schema`, its rules across fields, to its document."""

    def schema_helper(self, name, definition, **kwargs):
        meta = getattr(kwargs.get("schema"), "Meta", None)
        return dict(getattr(meta, "json_schema", {}))


def _text_properties(self, field, ret):
    """Document what a Text field rejects beyond its type and lengths."""
    if not isinstance(field, Text):
        return {}
    unprintable = _ref("UnprintableCharacter")
    if field.trim:
        # Trimming comes first: minLength and maxLength would count what it removes.
        del ret["minLength"], ret["maxLength"]
        return {"not": {"anyOf": _trimmed_text_rules(field)}}
    if isinstance(field, Email):
        return {"allOf": [_ref("EmailAddress")]}
    if isinstance(field, Password):
        return {"not": {"anyOf": [unprintable, _rule(patterns.blank(), "Blank.")]}}
    if patterns.admits_ascii_only(ret.get("pattern")):
        return {}  # a token, whose pattern says it all
    return {"not": unprintable}


def _trimmed_text_rules(field):
    """What a trimmed field is not: each way its text can fail, as a schema."""
    length = next(rule for rule in field.validators if isinstance(rule, validate.Length))
    assert length.min == 1, "only an empty text is too short to document"
    return [
        _ref("UnprintableNonSpace"),
        _rule(patterns.blank(), "Blank, so empty once trimmed."),
        _rule(patterns.unprintable_within(), "Unprintable white space that trimming keeps."),
        _rule(patterns.longer_than(length.max), f"Over {length.max} characters once trimmed."),
    ]


def _ref(component):
    return {"$ref": f"#/components/schemas/{component}"}


def _rule(pattern, description):
    return {"pattern": pattern, "description": description}


def _password_properties(min_length):
    """Document a new password's minimum length as the app's PASSWORD_MIN_LENGTH says."""

    def password_properties(self, field, ret):
        return {"minLength": min_length} if isinstance(field, Password) else {}

    return password_properties


def _rfc3339_properties(self, field, ret):
    """apispec leaves a custom-format DateTime undocumented; ours is RFC 3339 in UTC."""
    if isinstance(field, Rfc3339DateTime):
        return {"format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"}
    return {}


class ProblemApi(ErrorResponsesApi):
    """flask-smorest's Api, documenting every error as problem details."""

    ERROR_SCHEMA = ProblemSchema
    ERROR_MIMETYPE = PROBLEM_MIMETYPE
    error_title = staticmethod(title)


assets = Blueprint("docs_assets", __name__, url_prefix=ASSETS_URL.rstrip("/"))


@assets.get("/<path:filename>")
def asset(filename):
    """Serve Swagger UI's files from the installed package."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


def init_app(app, blueprints):
    """Create the API, register the resource blueprints and the docs."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("API_VERSION", app.config["SERVICE_VERSION"])
    app.config.setdefault("API_SPEC_OPTIONS", {"info": {"description": DESCRIPTION}})
    api = ProblemApi(
        app, spec_kwargs={"extra_plugins": [CommonErrors(), ApiKeyScopes(), SchemaRules()]}
    )
    api.ma_plugin.converter.add_attribute_function(_rfc3339_properties)
    api.ma_plugin.converter.add_attribute_function(_text_properties)
    api.ma_plugin.converter.add_attribute_function(
        _password_properties(app.config["PASSWORD_MIN_LENGTH"])
    )
    for name, component in _text_rule_components().items():
        api.spec.components.schema(name, component)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from POST /login.",
        },
    )
    api.spec.components.security_scheme(
        "apiKey",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "usk_...",
            "description": "An API key from POST /users/me/api-keys, sent as "
            "`Authorization: Bearer usk_...`; each operation names the scope it "
            "needs (`x-api-key-scope`).",
        },
    )
    # POST /login answers this or a TokenPair (LoginResultSchema's oneOf names it).
    api.spec.components.schema("MfaChallenge", schema=MfaChallengeSchema)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    scim_openapi.register(api.spec, app.url_map)
    app.register_blueprint(assets)
    return api
