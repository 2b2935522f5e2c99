"""Schemas of the service's own endpoints."""

from marshmallow import fields

from app.schemas.compiled import CompiledDumpSchema


class IndexSchema(CompiledDumpSchema):
    """What this service is and where its documentation lives."""

    name = fields.String()
    version = fields.String()
    docs = fields.String()


class HealthSchema(CompiledDumpSchema):
    """Overall status and each check's result."""

    status = fields.String(metadata={"enum": ["ok", "unavailable"]})
    checks = fields.Dict(keys=fields.String(), values=fields.String())
