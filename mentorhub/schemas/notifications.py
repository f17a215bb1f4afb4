"""Schemas for the in-app inbox, notification preferences and unsubscribe links."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mentorhub.notifications.types import CHANNELS, TYPES
from mentorhub.schemas.pagination import PageArgsSchema, PageSchema


class InboxArgsSchema(PageArgsSchema):
    """Query of GET /notifications."""

    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread ones."})


class NotificationSchema(Schema):
    """An in-app notification."""

    id = fields.Integer()
    type = fields.String(metadata={"example": "session_confirmed"})
    text = fields.String(metadata={"description": "Short text to show in the app."})
    data = fields.Dict()
    read = fields.Boolean()
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class NotificationPageSchema(PageSchema):
    """One page of the inbox, newest first."""

    items = fields.List(fields.Nested(NotificationSchema), required=True)


class ReadAllSchema(Schema):
    """Answer of POST /notifications/read-all."""

    updated = fields.Integer(metadata={"description": "How many were marked read."})


class PreferenceSchema(Schema):
    """One type on one channel."""

    type = fields.String(required=True, validate=validate.OneOf(list(TYPES)))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    enabled = fields.Boolean(required=True)
    locked = fields.Boolean(
        dump_only=True, metadata={"description": "Security or payment mail: cannot be turned off."}
    )


class PreferencesSchema(Schema):
    """Body and answer of /notifications/preferences."""

    preferences = fields.List(
        fields.Nested(PreferenceSchema), required=True, validate=validate.Length(min=1, max=100)
    )


class UnsubscribeArgsSchema(Schema):
    """Query of /notifications/unsubscribe: the signed token from the email."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=500))
