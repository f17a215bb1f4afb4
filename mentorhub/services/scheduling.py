"""The rules of a session's time slot: when it may be, and that nobody is double-booked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select

from mentorhub.errors import Conflict, Unprocessable
from mentorhub.extensions import db
from mentorhub.models import MentorSession, User, utcnow
from mentorhub.models.session import LONGEST_SESSION, SessionStatus

BOOKING_HORIZON = timedelta(days=365)


def now() -> datetime:
    """The scheduling clock (a function, so tests can move it)."""
    return utcnow()


def require_bookable_time(start: datetime) -> datetime:
    """Return `start` in UTC, or raise 422 when it is in the past or more than a year ahead."""
    current = now()
    # Compared before converting: year 1 or 9999 with a large offset cannot be moved to UTC.
    if start <= current:
        raise Unprocessable(errors={"scheduled_time": ["Must be in the future."]})
    if start > current + BOOKING_HORIZON:
        raise Unprocessable(errors={"scheduled_time": ["Must be within a year from now."]})
    return start.astimezone(UTC)


def lock_users(*user_ids: int) -> dict[int, User]:
    """Lock the users' rows until commit, in id order so two bookings cannot deadlock."""
    # Every booking and session change takes these locks before looking for clashes, so two
    # concurrent requests for the same mentor or student are checked one after the other.
    # NO KEY UPDATE still serialises those requests, but lets foreign-key checks (a
    # notification inserted for the user by another transaction) pass without waiting.
    rows = db.session.scalars(
        select(User)
        .where(User.id.in_(sorted(set(user_ids))))
        .order_by(User.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {user.id: user for user in rows}


def require_free_slot(
    mentor_id: int,
    student_id: int,
    start: datetime,
    duration_minutes: int,
    ignore_session_id: int | None = None,
) -> None:
    """Raise 409 when the mentor or the student has a scheduled session overlapping the slot."""
    clash = _first_clash((mentor_id, student_id), start, duration_minutes, ignore_session_id)
    if clash is None:
        return
    if mentor_id in (clash.mentor_id, clash.student_id):
        raise Conflict("The mentor already has a session at that time.")
    raise Conflict("The student already has a session at that time.")


def _first_clash(
    user_ids: Iterable[int], start: datetime, duration_minutes: int, ignore_id: int | None
) -> MentorSession | None:
    user_ids = list(user_ids)
    end = start + timedelta(minutes=duration_minutes)
    # Bounding the start time by the longest possible session keeps the query on the
    # (user, status, scheduled_time) indexes; the exact end is compared in Python.
    query = select(MentorSession).where(
        MentorSession.status == SessionStatus.SCHEDULED,
        or_(MentorSession.mentor_id.in_(user_ids), MentorSession.student_id.in_(user_ids)),
        MentorSession.scheduled_time < end,
        MentorSession.scheduled_time > start - LONGEST_SESSION,
    )
    if ignore_id is not None:
        query = query.where(MentorSession.id != ignore_id)
    return next((s for s in db.session.scalars(query) if s.end_time > start), None)
