"""Booking sessions and moving them through scheduled, completed and cancelled."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from mentorhub.calendars import room_link
from mentorhub.errors import Conflict, Forbidden, NotFound, Unprocessable
from mentorhub.extensions import db
from mentorhub.models import MentorSession, User
from mentorhub.models.pagination import paginate
from mentorhub.models.row_ids import fits_row_id
from mentorhub.models.session import SessionStatus
from mentorhub.notifications import events
from mentorhub.services import scheduling
from mentorhub.services.transactions import retry_on_conflict

SESSION_NOT_FOUND = "Session not found."


@retry_on_conflict
def book_session(
    student: User,
    mentor_id: int,
    topic: str,
    scheduled_time: datetime,
    duration_minutes: int,
    meeting_link: str | None = None,
) -> MentorSession:
    """Book `mentor_id` for the caller; 422 for a bad time or mentor, 409 when either is busy."""
    start = scheduling.require_bookable_time(scheduled_time)
    if mentor_id == student.id:
        raise Unprocessable(errors={"mentor_id": ["You cannot book a session with yourself."]})
    users = scheduling.lock_users(student.id, mentor_id)
    mentor = users.get(mentor_id)
    if mentor is None or not mentor.is_mentor:
        raise Unprocessable(errors={"mentor_id": ["No mentor with this id."]})
    scheduling.require_free_slot(mentor_id, student.id, start, duration_minutes)
    session = MentorSession(
        mentor_id=mentor_id,
        student_id=student.id,
        topic=topic,
        scheduled_time=start,
        duration_minutes=duration_minutes,
        status=SessionStatus.SCHEDULED,
        meeting_link=meeting_link or _new_meeting_link(),
    )
    db.session.add(session)
    db.session.flush()
    events.session_booked(session)
    db.session.commit()
    return session


def list_sessions(user: User, status: str | None, page: int, per_page: int) -> dict:
    """One page of the caller's sessions (as mentor or student), filtered by `status`."""
    current = scheduling.now()
    query = (
        select(MentorSession)
        .where(or_(MentorSession.mentor_id == user.id, MentorSession.student_id == user.id))
        .options(selectinload(MentorSession.mentor), selectinload(MentorSession.student))
    )
    newest_first = (MentorSession.scheduled_time.desc(), MentorSession.id.desc())
    if status == "upcoming":
        query = query.where(
            MentorSession.status == SessionStatus.SCHEDULED, MentorSession.scheduled_time > current
        ).order_by(MentorSession.scheduled_time, MentorSession.id)
    elif status == "past":
        started = and_(
            MentorSession.status == SessionStatus.SCHEDULED, MentorSession.scheduled_time <= current
        )
        query = query.where(or_(MentorSession.status == SessionStatus.COMPLETED, started))
        query = query.order_by(*newest_first)
    elif status == "cancelled":  # the list filter, not the column
        query = query.where(MentorSession.status == SessionStatus.CANCELLED).order_by(*newest_first)
    else:
        query = query.order_by(*newest_first)
    return paginate(query, page, per_page)


def get_session(user: User, session_id: int, lock: bool = False) -> MentorSession:
    """The session if the caller takes part in it; 404 otherwise, so ids reveal nothing."""
    if not fits_row_id(session_id):
        raise NotFound(SESSION_NOT_FOUND)
    query = select(MentorSession).where(MentorSession.id == session_id)
    if lock:
        # NO KEY UPDATE: foreign-key checks of inserts that reference the session (payments,
        # reviews, notifications) need not wait for it.
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    session = db.session.scalar(query)
    if session is None or not session.is_participant(user.id):
        raise NotFound(SESSION_NOT_FOUND)
    return session


def lock_session(user: User, session_id: int) -> MentorSession:
    """Lock the session's participants, then the session: the one lock order of every change.

    Bookings lock users too, so taking the session first anywhere could deadlock against them.
    The participants of a session never change, so the unlocked first read names them safely.
    """
    session = get_session(user, session_id)
    scheduling.lock_users(session.mentor_id, session.student_id)
    return get_session(user, session_id, lock=True)


@retry_on_conflict
def cancel_session(user: User, session_id: int, reason: str | None) -> MentorSession:
    """Cancel a scheduled session (either participant); 409 once it is completed or cancelled."""
    session = lock_session(user, session_id)
    _require_scheduled(session, "Only a scheduled session can be cancelled.")
    reason = reason.strip() if reason else None
    session.status = SessionStatus.CANCELLED
    session.sequence += 1  # calendars apply a CANCEL only with a higher SEQUENCE
    session.cancel_reason = reason or None
    db.session.flush()
    events.session_cancelled(session, cancelled_by=user, reason=session.cancel_reason)
    db.session.commit()
    return session


@retry_on_conflict
def reschedule_session(user: User, session_id: int, scheduled_time: datetime) -> MentorSession:
    """Move a scheduled session (either participant) to a free future slot."""
    get_session(user, session_id)
    start = scheduling.require_bookable_time(scheduled_time)
    session = lock_session(user, session_id)
    _require_scheduled(session, "Only a scheduled session can be rescheduled.")
    scheduling.require_free_slot(
        session.mentor_id, session.student_id, start, session.duration_minutes, session.id
    )
    previous_time = session.scheduled_time
    session.scheduled_time = start
    session.sequence += 1  # calendars replace the event only with a higher SEQUENCE
    db.session.flush()
    events.session_rescheduled(session, previous_time=previous_time, moved_by=user)
    db.session.commit()
    return session


@retry_on_conflict
def complete_session(user: User, session_id: int) -> MentorSession:
    """Mark a scheduled session completed: the mentor only, once it has started."""
    session = lock_session(user, session_id)
    if session.mentor_id != user.id:
        raise Forbidden("Only the mentor can complete a session.")
    _require_scheduled(session, "Only a scheduled session can be completed.")
    if scheduling.now() < session.scheduled_time:
        raise Conflict("A session cannot be completed before it starts.")
    session.status = SessionStatus.COMPLETED
    db.session.commit()
    return session


def _require_scheduled(session: MentorSession, message: str) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(message)


def _new_meeting_link() -> str | None:
    """A room from MEETING_LINK_TEMPLATE (a video provider), or none until the mentor sets one."""
    template = current_app.config.get("MEETING_LINK_TEMPLATE")
    # Unguessable room name: the link is the only thing that admits someone to the call.
    return room_link(template, secrets.token_urlsafe(16)) if template else None


@retry_on_conflict
def set_meeting_link(user: User, session_id: int, meeting_link: str | None) -> MentorSession:
    """The mentor sets (or clears) the call link: both get an updated invite; reminders carry it."""
    session = lock_session(user, session_id)
    if session.mentor_id != user.id:
        raise Forbidden("Only the mentor can change the meeting link.")
    _require_scheduled(session, "Only a scheduled session can be changed.")
    previous = session.meeting_link
    if meeting_link == previous:
        db.session.commit()  # nothing changed: no new version for calendars, no mail
        return session
    session.meeting_link = meeting_link
    session.sequence += 1  # the event's location changed: calendars take it as a newer version
    db.session.flush()
    events.meeting_link_changed(session, changed_by=user, previous=previous)
    db.session.commit()
    return session
