"""Query arguments and response fields shared by every paged list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


class PageArgsSchema(Schema):
    """`?page=&per_page=` on a paged list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


class PageSchema(Schema):
    """The envelope of a paged list; subclasses add `items`."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items across all pages."})
    pages = fields.Integer(required=True)
