"""PATCH (RFC 7644 section 3.5.2) on a user's SCIM state, all operations or none.

Operation names are case-insensitive; a path is parsed by scim2-models. What Microsoft
Entra ID sends is read as meant: "True"/"False" for booleans, value filters such as
`emails[type eq "work"].value`, and a replace without a path whose value is an object
(each of its members, dotted names included, is an operation of its own).
"""

from scim2_models import Path, SCIMException
from scim2_models.path import AttrPath, Comparison, LogicalExpr, Not, Present, ValuePath

from app.schemas.scim import PATCH_SCHEMA
from app.services import scim_input as read
from app.services.scim_input import scim_error

OPERATIONS = ("add", "replace", "remove")
MAX_PATH_LENGTH = 512
MAX_OPERATIONS = 100
IGNORED = {
    "id",
    "meta",
    "schemas",
    "name.givenname",
    "name.familyname",
    "name.middlename",
    "name.honorificprefix",
    "name.honorificsuffix",
}
REQUIRED = {"username", "displayname", "emails", "emails.value", "active"}
EMAIL_FIELDS = {"value": "email", "type": "email_type", "primary": "email_primary"}


def apply(state, body):
    """Return (new state, new password or None) after every operation of a PatchOp body."""
    body = read.lowered(body)
    schemas = body.get("schemas")
    if schemas is not None and (not isinstance(schemas, list) or PATCH_SCHEMA not in schemas):
        raise scim_error(f"schemas must name {PATCH_SCHEMA}.", "invalidSyntax")
    operations = body.get("operations")
    if not isinstance(operations, list) or not operations or len(operations) > MAX_OPERATIONS:
        raise scim_error("Operations must be a list of 1 to 100 operations.", "invalidSyntax")
    state, secret = dict(state), [None]
    for operation in operations:
        _apply_operation(state, secret, read.lowered(operation))
    return state, secret[0]


def _apply_operation(state, secret, operation):
    op = operation.get("op")
    op = op.lower() if isinstance(op, str) else op
    if op not in OPERATIONS:
        raise scim_error("op must be add, replace or remove.", "invalidSyntax")
    path, value = operation.get("path"), operation.get("value")
    if path is None:
        if op == "remove":
            raise scim_error("remove needs a path.", "noTarget")
        if not isinstance(value, dict):
            raise scim_error("Without a path, value must be an object.", "invalidValue")
        for key, member in value.items():
            _apply_path(state, secret, op, key, member, in_object=True)
        return
    if not isinstance(path, str):
        raise scim_error("path must be a string.", "invalidPath")
    _apply_path(state, secret, op, path, value, in_object=False)


def _apply_path(state, secret, op, path, value, *, in_object):
    if (
        in_object
        and path.lower().startswith("urn:")
        and not path.lower().startswith(read.USER_SCHEMA.lower() + ":")
    ):
        return  # an extension's object (enterprise user...): ignored
    node = _parse_path(path)
    if isinstance(node, ValuePath):
        return _apply_value_path(state, op, node, value)
    if not isinstance(node, AttrPath):
        raise scim_error("A filter is not a path.", "invalidPath")
    if node.uri is not None and node.uri.lower() != read.USER_SCHEMA.lower():
        return
    key = node.attr.lower() + (f".{node.sub_attr.lower()}" if node.sub_attr else "")
    if key in IGNORED or key.startswith("meta."):
        return
    if op == "remove":
        return _remove(state, key)
    if value is None:
        raise scim_error(f"{op} needs a value.", "invalidValue")
    _set(state, secret, key, value)


def _parse_path(path):
    if len(path) > MAX_PATH_LENGTH:
        raise scim_error("The path is too long.", "invalidPath")
    try:
        return Path(path).ast
    except (SCIMException, ValueError, RecursionError):
        raise scim_error(f"'{path[:100]}' is not a valid path.", "invalidPath") from None


def _set(state, secret, key, value):
    if key == "username":
        state["user_name"] = read.user_name(value)
    elif key == "displayname":
        state["name"] = read.display_name(value)
    elif key == "name.formatted":
        state["name"], state["name_shown"] = read.display_name(value), True
    elif key == "name":
        if not isinstance(value, dict):
            raise scim_error("name must be an object.", "invalidValue")
        if any(read.lowered(value).get(part) for part in ("formatted", "givenname", "familyname")):
            state["name"] = read.name_from({"name": value}, state["email"])
            state["name_shown"] = True
    elif key == "emails":
        state.update(read.email_fields(value, fallback=None))
    elif key.startswith("emails.") and key[7:] in EMAIL_FIELDS:
        state.update(_email_member(state, key[7:], value))
    elif key == "active":
        state["active"] = read.boolean(value, "active")
    elif key == "externalid":
        state["external_id"] = read.external_id(value)
    elif key == "password":
        secret[0] = read.password(value)


def _email_member(state, member, value):
    """The email fields with one member (value, type, primary) set."""
    item = {
        "value": state["email"],
        "type": state["email_type"],
        "primary": state["email_primary"],
        member: value,
    }
    return read.email_item(item)


def _remove(state, key):
    if key in REQUIRED:
        raise scim_error(f"'{key}' is required and cannot be removed.", "mutability")
    if key == "externalid":
        state["external_id"] = None
    elif key in ("name", "name.formatted"):
        state["name_shown"] = False  # the name stays: displayName holds it
    elif key == "emails.type":
        state["email_type"] = "work"
    elif key == "emails.primary":
        state["email_primary"] = True


def _apply_value_path(state, op, node, value):
    """`emails[filter]` and `emails[filter].member`: the one email, when it matches."""
    if node.attr_path.attr.lower() != "emails" or node.attr_path.sub_attr is not None:
        return  # no other multi-valued attribute is kept
    member = (node.sub_attr or "").lower()
    matches = _matches(node.val_filter, state)
    if op == "remove":
        if matches and member in ("", "value"):
            raise scim_error("The email is required and cannot be removed.", "mutability")
        if matches and member in ("type", "primary"):
            _remove(state, f"emails.{member}")
        return
    if value is None:
        raise scim_error(f"{op} needs a value.", "invalidValue")
    if not member:
        item = read.lowered(value) if isinstance(value, dict) else {}
        state.update(read.email_item({**_selected(node.val_filter), **item}))
    elif member in EMAIL_FIELDS:
        if not matches:  # no such email yet: the one email becomes it (Entra expects this)
            state.update(_email_from_filter(state, node.val_filter))
        state.update(_email_member(state, member, value))


def _email_from_filter(state, val_filter):
    selected = _selected(val_filter)
    return {"email_type": selected.get("type", state["email_type"])}


def _selected(val_filter):
    """What a filter of equalities (`type eq "work" and ...`) says the email is."""
    terms = val_filter.terms if isinstance(val_filter, LogicalExpr) else (val_filter,)
    return {
        term.attr_path.attr.lower(): term.value
        for term in terms
        if isinstance(term, Comparison)
        and term.op.value == "eq"
        and term.attr_path.attr.lower() in EMAIL_FIELDS
        and isinstance(term.value, str)
    }


def _matches(node, state):
    """Evaluate a value filter on the one email."""
    if isinstance(node, LogicalExpr):
        results = [_matches(term, state) for term in node.terms]
        return all(results) if node.op.value == "and" else any(results)
    if isinstance(node, Not):
        return not _matches(node.expr, state)
    field = EMAIL_FIELDS.get(node.attr_path.attr.lower()) if hasattr(node, "attr_path") else None
    if field is None:
        return False
    actual = state[field]
    if isinstance(node, Present):
        return actual is not None
    if not isinstance(node, Comparison):
        return False
    return _compare(actual, node.op.value, node.value)


def _compare(actual, op, expected):
    if isinstance(actual, bool):
        expected = read.BOOLEAN_STRINGS.get(str(expected).lower(), expected)
        return (actual == expected) if op == "eq" else (actual != expected) if op == "ne" else False
    if not isinstance(expected, str):
        return False
    actual, expected = actual.lower(), expected.lower()
    return {
        "eq": actual == expected,
        "ne": actual != expected,
        "co": expected in actual,
        "sw": actual.startswith(expected),
        "ew": actual.endswith(expected),
        "gt": actual > expected,
        "ge": actual >= expected,
        "lt": actual < expected,
        "le": actual <= expected,
    }.get(op, False)
