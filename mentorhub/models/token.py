"""Revoked JWTs, kept until the token would have expired anyway."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime


class RevokedToken(db.Model):
    """A logged-out token's id; lives as long as the token itself (access or refresh)."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
