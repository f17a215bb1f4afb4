"""Courses taught by mentors, and students' enrollments in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime, utcnow
from mentorhub.models.user import User


class EnrollmentStatus(StrEnum):
    """A student's progress in a course; the CHECK constraint is built from this list."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


ENROLLMENT_STATUSES = tuple(status.value for status in EnrollmentStatus)


class Course(db.Model):
    """A course and the mentor who teaches it."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentor: Mapped[User] = relationship()


class Enrollment(db.Model):
    """A student's enrollment in a course."""

    __tablename__ = "enrollments"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in ENROLLMENT_STATUSES)), name="status"
        ),
        UniqueConstraint("student_id", "course_id", name="uq_enrollments_student_course"),
        Index("ix_enrollments_student_status", "student_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()
