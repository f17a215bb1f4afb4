"""Schemas for direct messages and conversation pages."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mentorhub.schemas.common_fields import QueryRowId, RowId, TrimmedString
from mentorhub.schemas.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE

MAX_MESSAGE_LENGTH = 5000


class SendMessageSchema(Schema):
    """Body of POST /messages."""

    recipient_id = RowId(required=True)
    body = TrimmedString(MAX_MESSAGE_LENGTH, required=True)


class ConversationArgsSchema(Schema):
    """Query of GET /messages: the other user, and a cursor to page back in time."""

    with_user = QueryRowId(
        required=True, data_key="with", metadata={"description": "The other user's id."}
    )
    before = QueryRowId(
        load_default=None,
        metadata={"description": "Only messages older than this id (the previous next_before)."},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


class DirectMessageSchema(Schema):
    """A message as its sender and recipient see it."""

    id = fields.Integer()
    sender_id = fields.Integer()
    recipient_id = fields.Integer()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class ConversationPageSchema(Schema):
    """One page of a conversation, newest first."""

    items = fields.List(fields.Nested(DirectMessageSchema), required=True)
    next_before = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as `before` for the next (older) page; null at the end."},
    )
