"""SCIM filters (RFC 7644 section 3.4.2.2): parsed by scim2-models, checked against the
allow-list of attributes, returned as the condition tree app.repositories.scim_users
turns into SQL.

Anything the service cannot answer exactly is a 400 `invalidFilter`: an attribute not in
the allow-list, an operator or value its type does not take, a filter longer than
MAX_LENGTH or nesting deeper than MAX_DEPTH (bounded before the parser sees it).
"""

from datetime import UTC, datetime, timedelta

from scim2_models import SCIMException, ScimFilter
from scim2_models.path import Comparison, LogicalExpr, Not, Present, ValuePath

from app.models import to_db_time
from app.repositories.scim_users import ATTRIBUTES, Junction, Negation
from app.repositories.scim_users import Comparison as Condition
from app.services.domain_errors import InvalidRequest

MAX_LENGTH = 2048
MAX_DEPTH = 16
MAX_TERMS = 100
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
# Lower-cased attribute paths -> the names of ATTRIBUTES.
NAMES = {name.lower(): name for name in ATTRIBUTES} | {
    "emails": "emails.value",
    "name.formatted": "displayName",
}
STRING_OPERATORS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
BOOLEAN_STRINGS = {"true": True, "false": False}


def invalid_filter(detail):
    return InvalidRequest(detail, code="invalidFilter")


def parse(text):
    """Return the condition tree of a filter string (None for no filter)."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_LENGTH:
        raise invalid_filter(f"The filter is longer than {MAX_LENGTH} characters.")
    if _nesting(text) > MAX_DEPTH:
        raise invalid_filter(f"The filter nests deeper than {MAX_DEPTH} levels.")
    try:
        tree = ScimFilter(text).ast
    except (SCIMException, ValueError, RecursionError) as error:
        raise invalid_filter(f"The filter is not valid: {_reason(error)}.") from None
    counter = [0]
    return _convert(tree, counter, prefix=None)


def _reason(error):
    detail = getattr(error, "detail", None) or str(error)
    return detail.splitlines()[0][:200] if detail else "invalid syntax"


def _nesting(text):
    """How deep parentheses and brackets nest, outside string literals."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    return deepest


def _convert(node, counter, prefix):
    counter[0] += 1
    if counter[0] > MAX_TERMS:
        raise invalid_filter(f"The filter has more than {MAX_TERMS} terms.")
    if isinstance(node, LogicalExpr):
        return Junction(
            node.op.value.lower(), tuple(_convert(term, counter, prefix) for term in node.terms)
        )
    if isinstance(node, Not):
        return Negation(_convert(node.expr, counter, prefix))
    if isinstance(node, ValuePath):
        if prefix is not None:
            raise invalid_filter("A value filter cannot hold another one.")
        name = _attribute(node.attr_path, None)
        if name != "emails.value":
            raise invalid_filter(f"No value filter on '{node.attr_path}'.")
        return _convert(node.val_filter, counter, prefix="emails")
    if isinstance(node, Present):
        return Condition(_attribute(node.attr_path, prefix), "pr")
    if isinstance(node, Comparison):
        attribute = _attribute(node.attr_path, prefix)
        op = node.op.value.lower()
        return Condition(attribute, op, _value(attribute, op, node.value))
    raise invalid_filter("The filter is not supported.")


def _attribute(attr_path, prefix):
    """The allow-listed name of an attribute path, or a 400."""
    uri = attr_path.uri
    if uri is not None and uri.lower() != USER_SCHEMA.lower():
        raise invalid_filter(f"Filtering on '{attr_path}' is not supported.")
    path = attr_path.attr + (f".{attr_path.sub_attr}" if attr_path.sub_attr else "")
    if prefix is not None:
        path = f"{prefix}.{path}"
    name = NAMES.get(path.lower())
    if name is None or (prefix is None and name.startswith("emails.") and name != "emails.value"):
        raise invalid_filter(f"Filtering on '{path}' is not supported.")
    return name


def _value(attribute, op, value):
    kind = ATTRIBUTES[attribute].kind
    if kind == "boolean":
        if isinstance(value, str) and value.lower() in BOOLEAN_STRINGS:
            value = BOOLEAN_STRINGS[value.lower()]
        if op not in ("eq", "ne") or not isinstance(value, bool):
            raise invalid_filter(f"'{attribute}' compares with eq or ne to true or false.")
        return value
    if not isinstance(value, str) or op not in STRING_OPERATORS:
        raise invalid_filter(f"'{attribute}' compares to a string.")
    if kind == "time":
        if op in ("co", "sw", "ew"):
            raise invalid_filter(f"'{attribute}' takes eq, ne, gt, ge, lt and le.")
        return _time_span(attribute, value)
    return value


def _time_span(attribute, text):
    """The [low, high) span of stored times a written time stands for."""
    _, _, fraction = text.partition(".")
    digits = len(fraction) - len(fraction.lstrip("0123456789"))
    step = timedelta(microseconds=10 ** (6 - min(digits, 6)))
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return to_db_time(moment), to_db_time(moment + step)
    except (ValueError, OverflowError):
        raise invalid_filter(f"'{attribute}' compares to an RFC 3339 date-time.") from None
