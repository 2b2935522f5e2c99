"""The SCIM routes in the OpenAPI document: their operations, bodies and SCIM errors.

app/routes/scim.py is a plain blueprint (its bodies are `application/scim+json`, its
errors SCIM errors, not problem details), so flask-smorest cannot describe it; this
module does, once. The User resource's properties come from the attributes SCIM
discovery lists (app/schemas/scim_discovery.py), so the two cannot drift apart.
"""

import http

from flask_smorest.spec.plugins import FlaskPlugin

from app.http.bearer_auth import route_scope
from app.http.scim_errors import (
    ERROR_SCHEMA,
    SCIM_MIMETYPE,
    SCIM_PREFIX,
    SCIM_TYPES,
    is_scim_path,
)
from app.schemas.scim import LIST_SCHEMA, PATCH_SCHEMA, SEARCH_SCHEMA, USER_SCHEMA
from app.schemas.scim_discovery import MAX_RESULTS, USER_ATTRIBUTES

SECURITY_SCHEME_NAME = "scimKey"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "usk_...",
    "description": "An admin's API key with the `scim` scope (POST /users/me/api-keys), "
    "sent as `Authorization: Bearer usk_...`. Anything else is 401; a key without the "
    "scope, or whose owner is no longer an admin, is 403.",
}
JSON_TYPES = {"string": "string", "boolean": "boolean", "reference": "string"}


def _ref(component):
    return {"$ref": f"#/components/schemas/{component}"}


def _property(attribute):
    """The JSON schema of one SCIM attribute, as discovery describes it."""
    if attribute["type"] == "complex":
        schema = {
            "type": "object",
            "properties": {sub["name"]: _property(sub) for sub in attribute["subAttributes"]},
        }
    else:
        schema = {"type": JSON_TYPES[attribute["type"]]}
    if attribute["multiValued"]:
        schema = {"type": "array", "items": schema}
    if attribute["mutability"] == "writeOnly":
        schema["writeOnly"] = True
    schema["description"] = attribute["description"]
    return schema


def _user_schema():
    properties = {
        "schemas": {"type": "array", "items": {"type": "string"}, "example": [USER_SCHEMA]},
        "id": {"type": "string", "readOnly": True, "description": "The user id."},
        **{attribute["name"]: _property(attribute) for attribute in USER_ATTRIBUTES},
        "meta": {
            "type": "object",
            "readOnly": True,
            "description": "resourceType, created, lastModified, location, version (the ETag).",
        },
    }
    return {
        "type": "object",
        "description": "A user (RFC 7643 section 4.1). Attributes not listed here are "
        "ignored on input, as are the read-only `id` and `meta`.",
        "properties": properties,
    }


COMPONENTS = {
    "ScimError": {
        "type": "object",
        "description": "A SCIM error (RFC 7644 section 3.12).",
        "required": ["schemas", "status", "detail"],
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string", "enum": [ERROR_SCHEMA]}},
            "status": {"type": "string", "description": "The HTTP status, as a string."},
            "detail": {"type": "string"},
            "scimType": {"type": "string", "enum": sorted(SCIM_TYPES)},
        },
    },
    "ScimUser": _user_schema(),
    "ScimListResponse": {
        "type": "object",
        "required": ["schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"],
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string", "enum": [LIST_SCHEMA]}},
            "totalResults": {"type": "integer"},
            "startIndex": {"type": "integer"},
            "itemsPerPage": {"type": "integer"},
            "Resources": {"type": "array", "items": {"type": "object"}},
        },
    },
    "ScimSearchRequest": {
        "type": "object",
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string"}, "example": [SEARCH_SCHEMA]},
            "filter": {"type": "string"},
            "startIndex": {"type": "integer"},
            "count": {"type": "integer"},
            "attributes": {"type": "array", "items": {"type": "string"}},
            "excludedAttributes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "ScimPatchOp": {
        "type": "object",
        "required": ["Operations"],
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string"}, "example": [PATCH_SCHEMA]},
            "Operations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["op"],
                    "properties": {
                        "op": {
                            "type": "string",
                            "description": "add, replace or remove, in any case.",
                        },
                        "path": {
                            "type": "string",
                            "example": 'emails[type eq "work"].value',
                        },
                        "value": {
                            "description": 'Any JSON value; "True"/"False" read as booleans.'
                        },
                    },
                },
            },
        },
    },
    "ScimDocument": {
        "type": "object",
        "description": "A discovery document (RFC 7643 sections 5 to 7).",
    },
}


def _content(component):
    return {SCIM_MIMETYPE: {"schema": _ref(component)}}


def _query(name, description, kind="string"):
    return {"name": name, "in": "query", "schema": {"type": kind}, "description": description}


def _header(name, description):
    return {"name": name, "in": "header", "schema": {"type": "string"}, "description": description}


PROJECTION = [
    _query("attributes", "Comma-separated attributes to return (with id and schemas)."),
    _query("excludedAttributes", "Comma-separated attributes to leave out."),
]
SEARCH = [
    _query("filter", 'E.g. `userName eq "ada@example.com"` (RFC 7644 section 3.4.2.2).'),
    _query("startIndex", "1-based; below 1 reads as 1.", "integer"),
    _query("count", f"0 to {MAX_RESULTS}; above returns {MAX_RESULTS}.", "integer"),
    *PROJECTION,
]
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The user's version."}}
IF_MATCH = _header("If-Match", "The user's ETag: 412 when it has changed since.")


def _operation(summary, ok, *errors, parameters=(), body=None):
    """One SCIM operation: `ok` is {status: response}. Every one may also answer 401,
    403 and 500 (503 when the database is unreachable), one with a body 400, 413 and
    415, all as SCIM errors."""
    statuses = {*errors, 401, 403, 500, 503} | ({400, 413, 415} if body else set())
    responses = dict(ok)
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": http.HTTPStatus(status).phrase,
            "content": _content("ScimError"),
        }
    operation = {
        "tags": ["SCIM"],
        "summary": summary,
        "security": [{SECURITY_SCHEME_NAME: []}],
        "parameters": list(parameters),
        "responses": responses,
    }
    if body:
        operation["requestBody"] = {"required": True, "content": _content(body)}
    return operation


def _document(description, component="ScimDocument", headers=None):
    response = {"description": description, "content": _content(component)}
    if headers:
        response["headers"] = headers
    return response


def _discovery(summary, *, one=False):
    if one:
        return {"get": _operation(summary, {"200": _document(summary)}, 404)}
    return {"get": _operation(summary, {"200": _document(summary, "ScimListResponse")})}


def _search(summary, *errors, parameters=(), body=None):
    """A search: a page of users, its parameters in the query or in the body."""
    page = _document("A page of users.", "ScimListResponse")
    return _operation(summary, {"200": page}, *errors, parameters=parameters, body=body)


def _change(summary, body):
    """PUT or PATCH of one user."""
    user = _document("The user.", "ScimUser", ETAG)
    return _operation(
        summary, {"200": user}, 404, 409, 412, parameters=[IF_MATCH, *PROJECTION], body=body
    )


PATHS = {
    "/ServiceProviderConfig": {
        "get": _operation(
            "What this SCIM service supports",
            {"200": _document("Patch, filter, etag, changePassword; no bulk, no sort.")},
        )
    },
    "/ResourceTypes": _discovery("The resource types: User"),
    "/ResourceTypes/{name}": _discovery("One resource type", one=True),
    "/Schemas": _discovery("The schemas: the core User schema"),
    "/Schemas/{schema_id}": _discovery("One schema", one=True),
    "/Users": {
        "get": _search("Users matching a filter, a page from startIndex", 400, parameters=SEARCH),
        "post": _operation(
            "Create a user (it is mailed a verification token)",
            {
                "201": _document(
                    "The user created.",
                    "ScimUser",
                    {**ETAG, "Location": {"schema": {"type": "string"}}},
                )
            },
            409,
            parameters=PROJECTION,
            body="ScimUser",
        ),
    },
    "/Users/.search": {
        "post": _search(
            "The search of GET /Users, its parameters in the body", body="ScimSearchRequest"
        )
    },
    "/.search": {
        "post": _search("The search of GET /Users, at the root", body="ScimSearchRequest")
    },
    "/Users/{scim_id}": {
        "get": _operation(
            "One user",
            {
                "200": _document("The user.", "ScimUser", ETAG),
                "304": {"description": "Not modified (If-None-Match)", "headers": ETAG},
            },
            404,
            parameters=[
                _header("If-None-Match", "An ETag: 304 while the user has it."),
                *PROJECTION,
            ],
        ),
        "put": _change(
            "Replace userName, emails and the name (active, password, externalId kept when absent)",
            "ScimUser",
        ),
        "patch": _change(
            "Add, replace or remove attributes; all operations apply or none does", "ScimPatchOp"
        ),
        "delete": _operation(
            "Delete a user",
            {"204": {"description": "Deleted."}},
            400,
            404,
            412,
            parameters=[IF_MATCH],
        ),
    },
}


PATH_PARAMETERS = {
    "name": "`User`, the only resource type.",
    "schema_id": f"`{USER_SCHEMA}`, the only schema.",
    "scim_id": "The user id.",
}


def register(spec, url_map):
    """Add the SCIM security scheme, components and operations to an apispec document,
    one path per rule of the SCIM blueprint (whose converters give the path parameters);
    each operation names its key scope from the `route_scope` the REST routes use."""
    spec.components.security_scheme(SECURITY_SCHEME_NAME, SECURITY_SCHEME)
    for name, component in COMPONENTS.items():
        spec.components.schema(name, component)
    for rule in url_map.iter_rules():
        path = FlaskPlugin.flaskpath2openapi(rule.rule)
        if is_scim_path(path):
            parameters = [
                {"in": "path", "name": name, "description": PATH_PARAMETERS[name]}
                for name in rule.arguments
            ]
            operations = {
                method: {**operation, "x-api-key-scope": route_scope(path, method)}
                for method, operation in PATHS[path.removeprefix(SCIM_PREFIX)].items()
            }
            spec.path(rule=rule, operations=operations, parameters=parameters)
