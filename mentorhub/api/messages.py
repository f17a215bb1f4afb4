"""Message routes: send a message, page through a conversation."""

from __future__ import annotations

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.schemas.messages import (
    ConversationArgsSchema,
    ConversationPageSchema,
    DirectMessageSchema,
    SendMessageSchema,
)
from mentorhub.services import messages as message_service

blp = ApiBlueprint("messages", __name__, url_prefix="/messages", description="Direct messages")


@blp.post("")
@blp.authenticated
@blp.idempotent
@blp.arguments(SendMessageSchema)
@blp.response(201, DirectMessageSchema)
@blp.error_responses({422: "Invalid body, or no such recipient"})
def send(data: dict):
    """Send a message to another user."""
    return message_service.send_message(current_caller(), **data)


@blp.get("")
@blp.authenticated
@blp.arguments(ConversationArgsSchema, location="query")
@blp.response(200, ConversationPageSchema)
def conversation(args: dict):
    """One page of the caller's conversation with another user, newest first."""
    return message_service.conversation_page(
        current_caller(), args["with_user"], args["before"], args["per_page"]
    )
