"""Message routes: send a message, page through a conversation."""

from __future__ import annotations

from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from mentorhub.api.auth import BEARER
from mentorhub.openapi import ErrorSchema
from mentorhub.schemas.messages import (
    ConversationArgsSchema,
    ConversationPageSchema,
    DirectMessageSchema,
    SendMessageSchema,
)
from mentorhub.services import messages as message_service

blp = Blueprint("messages", __name__, url_prefix="/messages", description="Direct messages")


@blp.post("")
@jwt_required()
@blp.arguments(SendMessageSchema)
@blp.response(201, DirectMessageSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Invalid body, or no such recipient")
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def send(data: dict):
    """Send a message to another user."""
    return message_service.send_message(current_user, **data)


@blp.get("")
@jwt_required()
@blp.arguments(ConversationArgsSchema, location="query")
@blp.response(200, ConversationPageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def conversation(args: dict):
    """One page of the caller's conversation with another user, newest first."""
    return message_service.conversation_page(
        current_user, args["with_user"], args["before"], args["per_page"]
    )
