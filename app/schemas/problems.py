"""The problem-details body of every error (RFC 9457)."""

from marshmallow import INCLUDE, Schema, fields


class ProblemSchema(Schema):
    """What every error response carries, as `application/problem+json`.

    Extension members may follow (RFC 9457), e.g. `checks` on a failing /health.
    """

    class Meta:
        unknown = INCLUDE

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String()
    code = fields.String(metadata={"example": "validation_error"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field (validation errors)."},
    )
    request_id = fields.String()
