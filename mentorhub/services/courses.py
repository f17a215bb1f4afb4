"""Courses (created by mentors) and enrollments (by students)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentorhub.errors import Conflict, Forbidden, NotFound
from mentorhub.extensions import db
from mentorhub.models import Course, Enrollment, User
from mentorhub.models.pagination import paginate
from mentorhub.models.row_ids import get_row
from mentorhub.services.transactions import insert_or_conflict

ALREADY_ENROLLED = "You are already enrolled in this course."


def create_course(user: User, title: str, description: str) -> Course:
    """Create a course taught by the caller; mentors only (403 for students)."""
    if not user.is_mentor:
        raise Forbidden("Only mentors can create courses.")
    course = Course(mentor_id=user.id, title=title, description=description.strip())
    db.session.add(course)
    db.session.commit()
    return course


def list_courses(mentor_id: int | None, page: int, per_page: int) -> dict:
    """One page of courses, newest first, optionally only one mentor's."""
    query = select(Course).options(selectinload(Course.mentor))
    if mentor_id is not None:
        query = query.where(Course.mentor_id == mentor_id)
    return paginate(query.order_by(Course.created_at.desc(), Course.id.desc()), page, per_page)


def enroll(user: User, course_id: int) -> Enrollment:
    """Enroll the caller in a course; students only (403), once (409)."""
    course = get_row(Course, course_id)
    if course is None:
        raise NotFound("Course not found.")
    if user.is_mentor:
        raise Forbidden("Only students can enroll in courses.")
    existing = select(Enrollment.id).where(
        Enrollment.student_id == user.id, Enrollment.course_id == course_id
    )
    if db.session.scalar(existing) is not None:
        raise Conflict(ALREADY_ENROLLED)
    enrollment = Enrollment(student_id=user.id, course_id=course_id, status="in_progress")
    # A concurrent request may enroll first: the (student, course) unique constraint decides.
    insert_or_conflict(enrollment, ALREADY_ENROLLED)
    return enrollment


def update_enrollment(user: User, enrollment_id: int, status: str) -> Enrollment:
    """Set the status of the caller's own enrollment; anyone else's is a 404."""
    enrollment = get_row(Enrollment, enrollment_id)
    if enrollment is None or enrollment.student_id != user.id:
        raise NotFound("Enrollment not found.")
    enrollment.status = status
    db.session.commit()
    return enrollment
