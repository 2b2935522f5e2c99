"""/scim/v2: SCIM 2.0 provisioning (RFC 7643, RFC 7644) for identity providers.

Every answer here is `application/scim+json`; errors are SCIM errors (app.http.scim_errors).
The caller is an admin's API key with the `scim` scope (app.http.scim_auth).
"""

from flask import Blueprint, current_app, g, request

from app.http import conditional
from app.http.json_body import read_json_object
from app.http.scim_auth import authenticate_scim_caller
from app.http.scim_errors import SCIM_PREFIX, scim_error, scim_response
from app.schemas import scim_discovery as discovery
from app.schemas.scim import (
    SEARCH_SCHEMA,
    attribute_names,
    list_response,
    project,
    user_resource,
)
from app.services import scim_users
from app.services.domain_errors import InvalidRequest

blp = Blueprint("scim", __name__, url_prefix=SCIM_PREFIX)
blp.before_request(authenticate_scim_caller)


def _base_url():
    return current_app.config["PUBLIC_URL"].rstrip("/") + SCIM_PREFIX


def _not_found(what):
    return scim_error(404, f"No such {what}.")


@blp.get("/ServiceProviderConfig")
def service_provider_config():
    """What this SCIM service supports."""
    docs = current_app.config["PUBLIC_URL"].rstrip("/") + "/docs"
    return scim_response(discovery.service_provider_config(_base_url(), docs))


@blp.get("/ResourceTypes")
def resource_types():
    """The resource types: User."""
    resources = [discovery.user_resource_type(_base_url())]
    return scim_response(list_response(resources, total=1, start_index=1))


@blp.get("/ResourceTypes/<name>")
def resource_type(name):
    """One resource type."""
    if name != "User":
        return _not_found("resource type")
    return scim_response(discovery.user_resource_type(_base_url()))


@blp.get("/Schemas")
def schemas():
    """The schemas: the core User schema, with the attributes kept here."""
    resources = [discovery.user_schema(_base_url())]
    return scim_response(list_response(resources, total=1, start_index=1))


@blp.get("/Schemas/<path:schema_id>")
def schema(schema_id):
    """One schema."""
    if schema_id != discovery.USER_SCHEMA:
        return _not_found("schema")
    return scim_response(discovery.user_schema(_base_url()))


@blp.get("/Users")
def list_users():
    """Users matching `filter`, a page of `count` from `startIndex`."""
    args = request.args
    return _search(
        args.get("filter"),
        _integer(args, "startIndex", 1),
        _integer(args, "count", scim_users.MAX_COUNT),
        attribute_names(args.get("attributes")),
        attribute_names(args.get("excludedAttributes")),
    )


@blp.post("/Users/.search")
@blp.post("/.search")
def search_users():
    """The same search as GET /Users, with its parameters in a SearchRequest body."""
    body = read_json_object()
    schemas_named = body.get("schemas")
    if schemas_named is not None and SEARCH_SCHEMA not in (schemas_named or []):
        raise InvalidRequest(f"schemas must name {SEARCH_SCHEMA}.", code="invalidSyntax")
    filter_text = body.get("filter")
    if filter_text is not None and not isinstance(filter_text, str):
        raise InvalidRequest("filter must be a string.", code="invalidFilter")
    return _search(
        filter_text,
        _integer(body, "startIndex", 1),
        _integer(body, "count", scim_users.MAX_COUNT),
        _names_of(body, "attributes"),
        _names_of(body, "excludedAttributes"),
    )


def _search(filter_text, start_index, count, attributes, excluded):
    start_index, count = scim_users.page_bounds(start_index, count)
    total, users = scim_users.search(filter_text, start_index=start_index, count=count)
    resources = [
        project(_resource(user), attributes=attributes, excluded=excluded) for user in users
    ]
    return scim_response(list_response(resources, total=total, start_index=start_index))


@blp.post("/Users")
def create_user():
    """Create a user (it is mailed a verification token)."""
    user = scim_users.create_user(g.scim_owner, read_json_object())
    return _user_response(user, 201, location=True)


@blp.route("/Users/<scim_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
def user_item(scim_id):
    """Read, replace, patch or delete one user; If-Match and If-None-Match apply."""
    if_match = conditional.if_match()
    if request.method == "GET":
        user = scim_users.get_user(scim_id)
        if conditional.is_not_modified(user.etag):
            return conditional.not_modified(user.etag)
        return _user_response(user, 200)
    if request.method == "DELETE":
        scim_users.delete_user(g.scim_owner, scim_id, if_match=if_match)
        return current_app.response_class(status=204)
    body = read_json_object()
    change = scim_users.replace_user if request.method == "PUT" else scim_users.patch_user
    return _user_response(change(g.scim_owner, scim_id, body, if_match=if_match), 200)


def _resource(user):
    return user_resource(user, base_url=_base_url(), version=_version(user))


def _version(user):
    return conditional.etag_header(user.etag)["ETag"]


def _user_response(user, status, *, location=False):
    args = request.args
    resource = project(
        _resource(user),
        attributes=attribute_names(args.get("attributes")),
        excluded=attribute_names(args.get("excludedAttributes")),
    )
    headers = conditional.etag_header(user.etag)
    if location:
        headers["Location"] = (
            resource["meta"]["location"]
            if "meta" in resource
            else (f"{_base_url()}/Users/{user.id}")
        )
    return scim_response(resource, status, headers)


def _integer(source, name, default):
    value = source.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else None
    if text and text.lstrip("-").isascii() and text.lstrip("-").isdigit() and len(text) < 20:
        return int(text)
    raise InvalidRequest(f"{name} must be an integer.", code="invalidValue")


def _names_of(body, name):
    value = body.get(name)
    if value is None:
        return set()
    if isinstance(value, str):
        return attribute_names(value)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRequest(f"{name} must be a list of attribute names.", code="invalidValue")
    return attribute_names(",".join(value))
