"""Schemas of the calendar feed routes."""

from __future__ import annotations

from marshmallow import Schema, fields


class FeedUrlSchema(Schema):
    """Where the caller's private calendar feed is; treat both URLs as secrets."""

    url = fields.String(
        required=True,
        metadata={"example": "https://mentorhub.example/api/v1/calendar/Xy3...ics"},
    )
    webcal_url = fields.String(
        required=True, metadata={"description": "The same feed, for calendar apps to subscribe."}
    )
