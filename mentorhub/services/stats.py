"""Platform, user and dashboard statistics.

Platform totals come from maintained counters behind a stampede-free cache; the user and
dashboard figures are one SQL statement each, answered from the per-user indexes.
"""

from __future__ import annotations

import logging

from flask import current_app

from mentorhub.db_read_pool import read_one
from mentorhub.extensions import db
from mentorhub.models import User, utcnow
from mentorhub.services.cache import cache_service
from mentorhub.stats.counters import read_totals
from mentorhub.stats.queries import dashboard_query, user_query

logger = logging.getLogger(__name__)
PLATFORM_CACHE_KEY = "stats:platform"


def platform_totals() -> dict:
    """Users, mentors, students and sessions, read from the maintained counters."""
    totals = read_totals()
    logger.debug("platform totals recomputed: %s", totals)
    return totals


def platform_stats() -> dict:
    """The public platform statistics, cached STATS_CACHE_TTL seconds and recomputed once."""
    config = current_app.config
    # Read on every public request: each process keeps it a second (see CACHE_NEAR_SECONDS).
    totals = cache_service.get_or_compute(
        PLATFORM_CACHE_KEY, platform_totals, ttl=config["STATS_CACHE_TTL"], near=True
    )
    return {
        **totals,
        "platform_name": config["PLATFORM_NAME"],
        "version": config["PLATFORM_VERSION"],
    }


def refresh_platform_stats() -> None:
    """Drop the cached platform totals, so the next request reads the counters again."""
    cache_service.delete(PLATFORM_CACHE_KEY)


def user_stats(user: User) -> dict:
    """The caller's profile and session counts, in their role as mentor or student."""
    total, completed = db.session.execute(user_query(user.is_mentor), {"user_id": user.id}).one()
    key = "mentor_stats" if user.is_mentor else "student_stats"
    return {
        "user_id": user.id,
        "email": user.email,
        "is_mentor": user.is_mentor,
        "created_at": user.created_at.isoformat(),
        key: {"total_sessions": int(total), "completed_sessions": int(completed)},
    }


def dashboard_stats(user_id: int, is_mentor: bool) -> dict:
    """Enrollment, session and review figures for a user, in one statement."""
    row = read_one(dashboard_query(is_mentor), {"user_id": user_id, "now": utcnow()})
    courses, in_progress, sessions, upcoming, completed, review_count, average = row
    return {
        "total_courses": int(courses),
        "in_progress": int(in_progress),
        "completed": int(courses) - int(in_progress),
        "total_sessions": int(sessions),
        "upcoming_sessions": int(upcoming),
        "completed_sessions": int(completed),
        "total_reviews": int(review_count),
        "average_rating": round(float(average), 2) if average is not None else None,
    }
