"""Strict reading of JSON request bodies, used by every route that takes one."""

import json

from flask import g, request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest, UnsupportedMediaType


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def read_json_object():
    """Return the body as a dict: 415 if not JSON, 400 if malformed or not an object."""
    if "json_body" not in g:
        g.json_body = _parse(request.get_data(cache=True))
    return g.json_body


def _parse(raw):
    if not request.is_json:
        if raw:
            raise UnsupportedMediaType("The request body must be application/json.")
        return {}
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

    def load_json(self, req, schema):
        return read_json_object()


class Blueprint(SmorestBlueprint):
    """A flask-smorest blueprint using the strict parser."""

    ARGUMENTS_PARSER = Parser()
