"""The per-user stats statements, built once per role with bound parameters.

Each is one statement of one-row aggregates answered from the per-user indexes (see the EXPLAIN
test). Building a statement of four subqueries costs more Python time than PostgreSQL spends
running it, so they are built once and executed with `user_id` and `now` bound.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, func, select, true

from mentorhub.models import Enrollment, MentorSession, Review
from mentorhub.models.course import EnrollmentStatus
from mentorhub.models.session import SessionStatus


def _count_where(condition):
    # An aggregate FILTER counts 0, never NULL, and sends no constants as parameters.
    return func.count().filter(condition)


@cache
def user_query(is_mentor: bool) -> Select:
    """Sessions and completed sessions in the user's role; binds `user_id`."""
    role_column = MentorSession.mentor_id if is_mentor else MentorSession.student_id
    return select(
        func.count(), _count_where(MentorSession.status == SessionStatus.COMPLETED)
    ).where(role_column == bindparam("user_id"))


def _session_counts(column, name: str):
    upcoming = (MentorSession.status == SessionStatus.SCHEDULED) & (
        MentorSession.scheduled_time > bindparam("now")
    )
    return (
        select(
            func.count().label("total"),
            _count_where(upcoming).label("upcoming"),
            _count_where(MentorSession.status == SessionStatus.COMPLETED).label("completed"),
        )
        .where(column == bindparam("user_id"))
        .subquery(name)
    )


@cache
def dashboard_query(is_mentor: bool) -> Select:
    """Enrollments, sessions in either role, and reviews; binds `user_id` and `now`.

    Reviews are those received as a mentor, or written as a student.
    """
    enrollments = (
        select(
            func.count().label("total"),
            _count_where(Enrollment.status == EnrollmentStatus.IN_PROGRESS).label("in_progress"),
        )
        .where(Enrollment.student_id == bindparam("user_id"))
        .subquery("enrollments")
    )
    mentoring = _session_counts(MentorSession.mentor_id, "mentoring")
    learning = _session_counts(MentorSession.student_id, "learning")
    review_column = Review.mentor_id if is_mentor else Review.reviewer_id
    reviews = (
        select(func.count().label("total"), func.avg(Review.rating).label("average"))
        .where(review_column == bindparam("user_id"))
        .subquery("reviews")
    )
    # Four one-row aggregates side by side, each answered from its own index.
    return select(
        enrollments.c.total,
        enrollments.c.in_progress,
        mentoring.c.total + learning.c.total,
        mentoring.c.upcoming + learning.c.upcoming,
        mentoring.c.completed + learning.c.completed,
        reviews.c.total,
        reviews.c.average,
    ).select_from(enrollments.join(mentoring, true()).join(learning, true()).join(reviews, true()))
