"""Idempotency keys: a caller's key for one unsafe request, and the first answer it got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime


class IdempotencyKey(db.Model):
    """One key of one owner: the request it came with, and its answer once there is one.

    `owner` is whose key it is (`user:<id>`, or the payment provider's), so two callers' keys
    never meet; `user_id` ties a user's keys to the account, which takes them when it goes.
    While the request runs `status` is empty and `lease_until` says until when it is presumed
    alive; `claim` tells the attempt holding it from one that took over after it lapsed.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # sha256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    claim: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[int | None]
    # The answer's headers worth repeating, as JSON pairs; the body as sent.
    headers: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
