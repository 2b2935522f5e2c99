"""Schemas of the deprecated routes."""

from marshmallow import validate

from app.schemas.fields import Text
from app.schemas.users import PageQuerySchema


class LegacySearchQuerySchema(PageQuerySchema):
    """`/search?name=`: `name` is the `q` of the listing."""

    name = Text(trim=True, validate=validate.Length(min=1, max=254))
