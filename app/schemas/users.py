"""Schemas of the user resource: one per role (create, replace, patch, show, list)."""

from marshmallow import Schema, fields, validate

from app.schemas.compiled import CompiledDumpSchema
from app.schemas.fields import (
    Email,
    Password,
    QueryBoolean,
    Rfc3339DateTime,
    StrictBoolean,
    StrictInteger,
    Text,
)
from app.security.password_policy import MAX_LENGTH as MAX_PASSWORD_LENGTH
from app.security.tokens import CURSOR_PATTERN

ROLES = ("user", "admin")
SORTS = ("id", "created_at", "name", "email")


def _name(**kwargs):
    return Text(
        trim=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Trimmed; 1 to 100 characters."},
        **kwargs,
    )


def _password(**kwargs):
    return Password(
        load_only=True,
        metadata={
            "format": "password",
            "maxLength": MAX_PASSWORD_LENGTH,
            "description": (
                "At least PASSWORD_MIN_LENGTH characters (15 by default), at most 128; not a "
                "common password; must not contain the email's local part or the name; not easily "
                "guessed (fewer than 10^6 guesses by the zxcvbn estimate)."
            ),
        },
        **kwargs,
    )


class UserSchema(CompiledDumpSchema):
    """A user as clients see it; never carries a password or its hash."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    email = Email(dump_only=True)
    role = fields.String(dump_only=True, metadata={"enum": list(ROLES)})
    is_active = fields.Boolean(dump_only=True)
    email_verified = fields.Boolean(dump_only=True)
    created_at = Rfc3339DateTime(dump_only=True)
    updated_at = Rfc3339DateTime(dump_only=True)


class UserCreateSchema(Schema):
    """Registration; an admin may also set `role` and `is_active`."""

    name = _name(required=True)
    email = Email(required=True)
    password = _password(required=True)
    role = fields.String(validate=validate.OneOf(ROLES), metadata={"description": "Admins only."})
    is_active = StrictBoolean(metadata={"description": "Admins only."})


class UserPatchSchema(Schema):
    """Any subset of the replaceable fields."""

    name = _name()
    email = Email()
    password = _password()
    current_password = Text(
        load_only=True,
        validate=validate.Length(max=MAX_PASSWORD_LENGTH),
        metadata={
            "description": (
                "Required to change your own password or email; checked whenever sent. A wrong "
                "one counts as a failed login (back-off: 429)."
            )
        },
    )
    role = fields.String(validate=validate.OneOf(ROLES), metadata={"description": "Admins only."})
    is_active = StrictBoolean(metadata={"description": "Admins only."})


class UserReplaceSchema(UserPatchSchema):
    """Full replacement: `name` and `email` are required."""

    name = _name(required=True)
    email = Email(required=True)


class PageQuerySchema(Schema):
    """Paging parameters: page size and where to resume."""

    limit = StrictInteger(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(
        validate=validate.Length(min=1),
        metadata={
            "description": "`next_cursor` of the previous page.",
            "pattern": f"^{CURSOR_PATTERN}$",
        },
    )


class UserListQuerySchema(PageQuerySchema):
    """Query parameters of the listing."""

    q = Text(
        trim=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "Case-insensitive substring of name or email."},
    )
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = QueryBoolean(metadata={"description": "`true` or `false`."})
    sort = fields.String(
        load_default="id", validate=validate.OneOf([*SORTS, *(f"-{s}" for s in SORTS)])
    )


class UserPageSchema(CompiledDumpSchema):
    """One page of users and the cursor of the next one (null on the last page)."""

    items = fields.List(fields.Nested(UserSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
