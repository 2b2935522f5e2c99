"""Fields that enforce the contract's text rules."""

import re

from marshmallow import ValidationError, fields, validate

from app.security.email_address import InvalidEmail, normalize
from app.security.printable import has_lone_surrogate, is_printable

# One @, a dotted domain, no white space; no "/" so that /users/{email} can address it.
# The OpenAPI document carries it too (the contract's rule, looser than format: email).
EMAIL_PATTERN = re.compile(r"[^@\s/]+@[^@\s./]+(\.[^@\s./]+)+")
RFC3339 = "%Y-%m-%dT%H:%M:%SZ"
MAX_EMAIL_LENGTH = 254


class Text(fields.String):
    """A string with no lone surrogates or control characters, optionally trimmed."""

    def __init__(self, *, trim=False, **kwargs):
        super().__init__(**kwargs)
        self.trim = trim

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self.trim:
            text = text.strip()
        if has_lone_surrogate(text):
            raise ValidationError("Must be valid Unicode text (no lone surrogates).")
        if not is_printable(text):
            raise ValidationError("Must not contain control or invisible characters.")
        return text


class Email(Text):
    """One plain address `local@domain` (email-validator's rules, a dotted domain, no `/`),
    in its normalized form: NFC, lower case."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(max=MAX_EMAIL_LENGTH), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not EMAIL_PATTERN.fullmatch(text):
            raise ValidationError("Not a valid email address.")
        try:
            email = normalize(text)
        except InvalidEmail as error:
            raise ValidationError(f"Not a valid email address: {error}") from None
        if not EMAIL_PATTERN.fullmatch(email):
            raise ValidationError("Not a valid email address.")
        return email


class EmailLookup(Email):
    """An address to look an account up by: the documented pattern only. Text that is not
    a valid address names nobody (the service answers as for an unknown one)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = Text._deserialize(self, value, attr, data, **kwargs)
        if not EMAIL_PATTERN.fullmatch(text):
            raise ValidationError("Not a valid email address.")
        try:
            return normalize(text)
        except InvalidEmail:
            return text.lower()


class Password(Text):
    """A new password: the password policy (a service rule) applies to it."""


class Rfc3339DateTime(fields.DateTime):
    """A UTC time written `2026-11-22T04:00:00Z` (documented as `date-time`)."""

    def __init__(self, **kwargs):
        super().__init__(format=RFC3339, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing that merely looks like one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryBoolean(fields.Boolean):
    """A query-string boolean: exactly `true` or `false`."""

    truthy = {"true"}
    falsy = {"false"}


class StrictInteger(fields.Integer):
    """An integer written in decimal digits only (no `1.0`, no `+5`, no spaces)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
