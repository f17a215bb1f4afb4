"""Mentorship sessions booked by students with mentors."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime, utcnow
from mentorhub.models.user import User


class SessionStatus(StrEnum):
    """A session's state; the CHECK constraint is built from this list."""

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


SESSION_STATUSES = tuple(status.value for status in SessionStatus)
LONGEST_SESSION_MINUTES = 480
LONGEST_SESSION = timedelta(minutes=LONGEST_SESSION_MINUTES)


class MentorSession(db.Model):
    """One booked session between a mentor and a student."""

    __tablename__ = "mentor_sessions"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in SESSION_STATUSES)), name="status"
        ),
        CheckConstraint(
            f"duration_minutes > 0 AND duration_minutes <= {LONGEST_SESSION_MINUTES}",
            name="duration",
        ),
        CheckConstraint("mentor_id <> student_id", name="distinct_participants"),
        Index("ix_mentor_sessions_mentor_status_time", "mentor_id", "status", "scheduled_time"),
        Index("ix_mentor_sessions_student_status_time", "student_id", "status", "scheduled_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(200))
    scheduled_time: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=60)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED.value)
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The iCalendar SEQUENCE: raised by every change a calendar must pick up (move, cancel).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    student: Mapped[User] = relationship(foreign_keys=[student_id])

    @property
    def end_time(self) -> datetime:
        """When the session ends."""
        return self.scheduled_time + timedelta(minutes=self.duration_minutes)

    def is_participant(self, user_id: int) -> bool:
        """Whether the user is the mentor or the student of this session."""
        return user_id in (self.mentor_id, self.student_id)
