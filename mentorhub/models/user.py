"""Users: students and mentors."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime, utcnow


class User(db.Model):
    """A registered user; the email is stored lower-cased, so uniqueness ignores case."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_mentor: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An IANA name; every time this user reads is written in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # The secret in the private calendar feed's URL; made on first request, replaced on rotation.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password`, made with the app's `PASSWORD_HASH_METHOD`."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id}>"
