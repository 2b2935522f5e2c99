"""Fields that enforce the contract's text rules."""

import re
import unicodedata

from marshmallow import ValidationError, fields, validate

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
MAX_EMAIL_LENGTH = 254


def _categories(text):
    return {unicodedata.category(char) for char in text}


class Text(fields.String):
    """A string with no lone surrogates or control characters, optionally trimmed."""

    def __init__(self, *, trim=False, **kwargs):
        super().__init__(**kwargs)
        self.trim = trim

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self.trim:
            text = text.strip()
        categories = _categories(text)
        if "Cs" in categories:
            raise ValidationError("Must be valid Unicode text (no lone surrogates).")
        if "Cc" in categories:
            raise ValidationError("Must not contain control characters.")
        return text


class Email(Text):
    """An email address: one `@`, a dotted domain, no spaces; lower-cased."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(max=MAX_EMAIL_LENGTH), **kwargs)
        self.metadata.setdefault("format", "email")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not EMAIL_PATTERN.fullmatch(text):
            raise ValidationError("Not a valid email address.")
        return text.lower()


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
