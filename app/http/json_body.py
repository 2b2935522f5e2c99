"""Strict reading of JSON request bodies, used by every route that takes one."""

import json

from flask import current_app, request
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

ENVIRON_KEY = "user_service.json_body"


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def read_json_object():
    """Return the body as a dict: 415 if not JSON, 400 if malformed or not an object."""
    environ = request.environ
    if ENVIRON_KEY not in environ:
        environ[ENVIRON_KEY] = _parse(_read_body())
    return environ[ENVIRON_KEY]


def _read_body():
    """Read the body, enforcing MAX_CONTENT_LENGTH also on chunked uploads.

    For a chunked body Werkzeug stops reading at the limit without an error, so
    an oversized body would arrive cut off; read it here and refuse it instead.
    """
    environ = request.environ
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    terminated = environ.get("wsgi.input_terminated", False)
    if request.content_length is not None or not (chunked and terminated):
        return request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    data = b""
    while len(data) <= limit and (block := environ["wsgi.input"].read(limit + 1 - len(data))):
        data += block
    if len(data) > limit:
        raise RequestEntityTooLarge()
    return data


def _parse(raw):
    if not raw:
        return {}
    if not request.is_json:
        raise UnsupportedMediaType("The request body must be application/json.")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("The request body is not valid UTF-8 JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


class Parser(FlaskParser):
    """webargs parser that reads bodies strictly and lets schemas reject unknown fields."""

    DEFAULT_UNKNOWN_BY_LOCATION = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas = {}

    def _get_schema(self, argmap, req):
        """One instance per schema class: webargs would build (and deep-copy) one a request.

        A marshmallow schema keeps no state between loads, so sharing one is safe.
        """
        if isinstance(argmap, type):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = super()._get_schema(argmap, req)
            return schema
        return super()._get_schema(argmap, req)

    def load_json(self, req, schema):
        return read_json_object()

    def pre_load(self, location_data, *, schema, req, location):
        """Refuse a query parameter given twice instead of silently taking the first."""
        if location == "query":
            repeated = {key for key in req.args if len(req.args.getlist(key)) > 1}
            if repeated:
                raise ValidationError({key: ["Give this parameter once."] for key in repeated})
        return location_data


class Blueprint(SmorestBlueprint):
    """A flask-smorest blueprint using the strict parser."""

    ARGUMENTS_PARSER = Parser()
