"""Schemas of the audit trail: the stored events and the filters of their listing."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.models import AUDIT_EVENT_TYPES as EVENT_TYPES
from app.schemas.fields import Rfc3339DateTime, StrictInteger

CURSOR_PATTERN = r"^\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"


class AuditEventSchema(Schema):
    """One security event: who (`actor_id`) did what (`type`) to whom (`subject_id`)."""

    id = fields.Integer(dump_only=True)
    type = fields.String(dump_only=True, metadata={"enum": list(EVENT_TYPES)})
    occurred_at = Rfc3339DateTime(dump_only=True)
    actor_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The user who acted; null when nobody is known (a failed login)."},
    )
    subject_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The user the event is about; null for an unknown email."},
    )
    ip = fields.String(dump_only=True, allow_none=True)
    request_id = fields.String(dump_only=True, allow_none=True)
    details = fields.Dict(
        dump_only=True, metadata={"description": "Per type (see the README); never a secret."}
    )


class UtcDateTime(fields.AwareDateTime):
    """An RFC 3339 time with its zone, read as UTC (a time UTC cannot hold is invalid)."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Not a time that UTC can hold.") from None


class AuditEventQuerySchema(Schema):
    """Filters and paging of the trail; times are RFC 3339 with a zone."""

    limit = StrictInteger(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(
        validate=validate.Length(min=1),
        metadata={"description": "`next_cursor` of the previous page.", "pattern": CURSOR_PATTERN},
    )
    type = fields.String(validate=validate.OneOf(EVENT_TYPES))
    actor = StrictInteger(
        validate=validate.Range(min=1, max=2**63 - 1),
        metadata={"description": "Only events this user (id) did."},
    )
    subject = StrictInteger(
        validate=validate.Range(min=1, max=2**63 - 1),
        metadata={"description": "Only events about this user (id)."},
    )
    since = UtcDateTime(
        metadata={"description": "Only events at or after this time (RFC 3339, inclusive)."}
    )
    until = UtcDateTime(
        metadata={"description": "Only events before this time (RFC 3339, exclusive)."}
    )

    @validates_schema
    def _since_before_until(self, data, **_kwargs):
        if "since" in data and "until" in data and data["since"] > data["until"]:
            raise ValidationError("Must not be after `until`.", "since")


class AuditEventPageSchema(Schema):
    """One page of events, newest first, and the cursor of the next (null on the last)."""

    items = fields.List(fields.Nested(AuditEventSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
