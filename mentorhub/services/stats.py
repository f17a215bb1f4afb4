"""Platform, user and dashboard statistics; each is one SQL statement served from indexes."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Integer, case, func, select

from mentorhub.extensions import db
from mentorhub.models import Enrollment, MentorSession, Review, User, utcnow
from mentorhub.services.cache import cached


def _count_where(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def platform_totals() -> dict:
    """Users, mentors, students and sessions, counted in one statement."""
    sessions = select(func.count()).select_from(MentorSession).scalar_subquery()
    row = db.session.execute(
        select(func.count(), _count_where(User.is_mentor.is_(True)), sessions).select_from(User)
    ).one()
    total_users, total_mentors, total_sessions = (int(v or 0) for v in row)
    return {
        "total_users": total_users,
        "total_mentors": total_mentors,
        "total_students": total_users - total_mentors,
        "total_sessions": total_sessions,
    }


@cached(ttl=300, key_prefix="stats-platform")
def _cached_platform_totals() -> dict:
    return platform_totals()


def platform_stats() -> dict:
    """The public platform statistics, cached for STATS_CACHE_TTL seconds."""
    config = current_app.config
    return {
        **_cached_platform_totals(),
        "platform_name": config["PLATFORM_NAME"],
        "version": config["PLATFORM_VERSION"],
    }


def user_stats(user: User) -> dict:
    """The caller's profile and session counts, in their role as mentor or student."""
    role_column = MentorSession.mentor_id if user.is_mentor else MentorSession.student_id
    total, completed = db.session.execute(
        select(func.count(), _count_where(MentorSession.status == "completed")).where(
            role_column == user.id
        )
    ).one()
    key = "mentor_stats" if user.is_mentor else "student_stats"
    return {
        "user_id": user.id,
        "email": user.email,
        "is_mentor": user.is_mentor,
        "created_at": user.created_at.isoformat(),
        key: {"total_sessions": int(total or 0), "completed_sessions": int(completed or 0)},
    }


def _session_counts(column, user_id: int, now) -> tuple:
    return (
        select(
            func.count(),
            _count_where(
                (MentorSession.status == "scheduled") & (MentorSession.scheduled_time > now)
            ),
            _count_where(MentorSession.status == "completed"),
        )
        .where(column == user_id)
        .subquery()
    )


def dashboard_stats(user: User) -> dict:
    """Enrollment, session and review figures for the caller, in one statement."""
    now = utcnow()
    enrollments = (
        select(func.count(), _count_where(Enrollment.status == "in_progress"))
        .where(Enrollment.student_id == user.id)
        .subquery()
    )
    as_mentor = _session_counts(MentorSession.mentor_id, user.id, now)
    as_student = _session_counts(MentorSession.student_id, user.id, now)
    review_column = Review.mentor_id if user.is_mentor else Review.reviewer_id
    reviews = (
        select(func.count(), func.avg(Review.rating)).where(review_column == user.id).subquery()
    )
    row = db.session.execute(select(enrollments, as_mentor, as_student, reviews)).one()
    courses, in_progress = int(row[0]), int(row[1])
    sessions = [int(row[2]) + int(row[5]), int(row[3]) + int(row[6]), int(row[4]) + int(row[7])]
    review_count, average = int(row[8]), row[9]
    return {
        "total_courses": courses,
        "in_progress": in_progress,
        "completed": courses - in_progress,
        "total_sessions": sessions[0],
        "upcoming_sessions": sessions[1],
        "completed_sessions": sessions[2],
        "total_reviews": review_count,
        "average_rating": round(float(average), 2) if average is not None else None,
    }
