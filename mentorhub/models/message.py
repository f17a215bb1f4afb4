"""Direct messages between two users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime, utcnow
from mentorhub.models.user import User


class Message(db.Model):
    """One message from a sender to a recipient; a conversation is every message between a pair."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("sender_id <> recipient_id", name="distinct_participants"),
        # A conversation page is `(sender=a AND recipient=b) OR (sender=b AND recipient=a)` ordered
        # by id: each branch of the OR is a range scan of this one index.
        Index("ix_messages_conversation", "sender_id", "recipient_id", "id"),
        Index("ix_messages_recipient_id", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
