"""Reading SCIM User payloads (RFC 7643) into the fields of a user.

Attribute names are case-insensitive and may carry the core schema's URN; attributes the
User schema here does not list, and read-only ones, are ignored, as providers send many.
A user's SCIM state is a dict of STATE_KEYS; app.services.scim_patch changes one.
"""

from marshmallow import ValidationError, validate

from app.schemas.fields import Email, Text
from app.services.domain_errors import InvalidRequest

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
STATE_KEYS = (
    "user_name",
    "email",
    "email_type",
    "email_primary",
    "name",
    "name_shown",
    "active",
    "external_id",
)
BOOLEAN_STRINGS = {"true": True, "false": False}
MAX_TEXT_LENGTH = 256
_EMAIL = Email()
_NAME = Text(trim=True, validate=validate.Length(min=1, max=100))
_TEXT = Text(validate=validate.Length(min=1, max=MAX_TEXT_LENGTH))


def scim_error(detail, scim_type):
    """A 400 SCIM error of this `scimType`."""
    return InvalidRequest(detail, code=scim_type)


def attribute_key(name):
    """Lower-case an attribute name, dropping the core schema's URN prefix."""
    lowered = name.lower()
    prefix = USER_SCHEMA.lower() + ":"
    return lowered[len(prefix) :] if lowered.startswith(prefix) else lowered


def lowered(payload):
    """The members of a JSON object under their attribute keys."""
    if not isinstance(payload, dict):
        raise scim_error("Expected a JSON object.", "invalidSyntax")
    return {attribute_key(key): value for key, value in payload.items()}


def state_of(user):
    """The SCIM state of a stored user."""
    return {
        "user_name": user.user_name,
        "email": user.email,
        "email_type": user.email_type,
        "email_primary": user.email_primary,
        "name": user.name,
        "name_shown": user.name_shown,
        "active": user.is_active,
        "external_id": user.external_id,
    }


def read_resource(payload, *, current=None):
    """Read a POST (current None) or PUT body into a complete state and a password.

    PUT replaces userName, emails and the name, and keeps active, password and
    externalId when they are absent.
    """
    body = lowered(payload)
    state = dict(current or {"active": True, "external_id": None})
    if current is not None and body.get("username") is None:
        raise scim_error("userName is required: a user cannot be left without one.", "mutability")
    state["user_name"] = user_name(body.get("username"))
    state.update(
        email_fields(
            body.get("emails"),
            fallback=state["user_name"],
            status="invalidValue" if current is None else "mutability",
        )
    )
    state["name"] = name_from(body, state["email"])
    state["name_shown"] = True
    if body.get("active") is not None:
        state["active"] = boolean(body["active"], "active")
    if "externalid" in body:
        state["external_id"] = external_id(body["externalid"])
    return state, password(body.get("password"))


def user_name(value):
    if value is None:
        raise scim_error("userName is required.", "invalidValue")
    return _valid(_TEXT, value, "userName")


def external_id(value):
    return None if value is None else _valid(_TEXT, value, "externalId")


def password(value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise scim_error("password must be a string.", "invalidValue")
    return value


def boolean(value, attribute):
    """A JSON boolean, or Microsoft Entra ID's "True"/"False"."""
    if isinstance(value, str) and value.lower() in BOOLEAN_STRINGS:
        return BOOLEAN_STRINGS[value.lower()]
    if not isinstance(value, bool):
        raise scim_error(f"{attribute} must be a boolean.", "invalidValue")
    return value


def email_fields(emails, *, fallback, status="invalidValue"):
    """The email of an `emails` list: the primary one, else the first."""
    if emails in (None, []):
        try:
            return {
                "email": _EMAIL.deserialize(fallback),
                "email_type": "work",
                "email_primary": True,
            }
        except ValidationError:
            raise scim_error(
                "An email is required (emails, or a userName that is an email address).", status
            ) from None
    if isinstance(emails, dict):
        emails = [emails]
    if not isinstance(emails, list) or not all(isinstance(item, dict) for item in emails):
        raise scim_error("emails must be a list of objects.", "invalidValue")
    items = [lowered(item) for item in emails]
    chosen = next((item for item in items if _is_primary(item)), items[0])
    return email_item(chosen)


def email_item(item):
    """The stored fields of one member of `emails`."""
    value = _valid(_EMAIL, item.get("value"), "emails.value")
    kind = item.get("type")
    kind = "work" if kind is None else _valid(_TEXT, kind, "emails.type")
    primary = item.get("primary")
    primary = True if primary is None else boolean(primary, "emails.primary")
    return {"email": value, "email_type": kind, "email_primary": primary}


def _is_primary(item):
    value = item.get("primary")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def name_from(body, email):
    """displayName, then name.formatted, then givenName and familyName, then the email."""
    name = body.get("name")
    name = lowered(name) if isinstance(name, dict) else {}
    for candidate in (body.get("displayname"), name.get("formatted")):
        if candidate is not None:
            return display_name(candidate)
    parts = [name.get(key) for key in ("givenname", "familyname")]
    joined = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    return display_name(joined) if joined else display_name(email.rsplit("@", 1)[0])


def display_name(value):
    return _valid(_NAME, value, "displayName")


def _valid(field, value, attribute):
    if value is None:
        raise scim_error(f"{attribute} is required.", "invalidValue")
    try:
        return field.deserialize(value)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, list) else [str(error)]
        raise scim_error(f"{attribute}: {' '.join(map(str, messages))}", "invalidValue") from None
