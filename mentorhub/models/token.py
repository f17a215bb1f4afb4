"""Durable revocation records: signed-out sign-ins and per-user sign-out-everywhere counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime, utcnow


class RevokedToken(db.Model):
    """A signed-out sign-in, by its refresh token's jti (the `fam` of its access tokens).

    Kept until the refresh token would have expired: after that no token of the family is valid.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class TokenGeneration(db.Model):
    """How many times a user signed out everywhere; tokens minted earlier carry a lower `gen`."""

    __tablename__ = "token_generations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
