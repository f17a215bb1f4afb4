"""The calendar part of session emails: iTIP REQUEST with a confirmation, CANCEL with a cancel."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentorhub.calendars.ical import Party, SessionEvent, build_calendar, session_uid
from mentorhub.calendars.meeting_links import shown_meeting_link
from mentorhub.calendars.zones import parse_instant
from mentorhub.extensions import db
from mentorhub.models import MentorSession, utcnow

METHODS = {"session_confirmed": "REQUEST", "session_cancelled": "CANCEL"}


def invite_for(type_name: str, data: dict) -> tuple[bytes, str] | None:
    """The iCalendar data and METHOD for a notification's email; None when it has none.

    Time, length and SEQUENCE come from the notification (the session as it was at that change);
    the participants are read now, as their addresses are not kept in notification data.
    """
    method = METHODS.get(type_name)
    start = parse_instant(data.get("scheduled_time"))
    session_id = data.get("session_id")
    if method is None or start is None or not isinstance(session_id, int):
        return None  # a free-form notification, not one raised by a session
    session = db.session.scalar(
        select(MentorSession)
        .where(MentorSession.id == session_id)
        .options(selectinload(MentorSession.mentor), selectinload(MentorSession.student))
    )
    if session is None:
        return None
    mentor, student = session.mentor, session.student
    link = shown_meeting_link(data.get("meeting_link") or session.meeting_link)
    event = SessionEvent(
        uid=session_uid(session.id, current_app.config["PUBLIC_BASE_URL"]),
        sequence=int(data.get("sequence") or 0),
        start=start,
        minutes=int(data.get("duration_minutes") or session.duration_minutes),
        summary=event_summary(data.get("topic") or session.topic),
        description=event_description(mentor.name, student.name, link),
        stamp=utcnow(),
        link=link,
        cancelled=method == "CANCEL",
        organizer=Party(mentor.name, mentor.email),
        attendees=(Party(student.name, student.email),),
    )
    return build_calendar([event], method=method), method


def event_summary(topic: str) -> str:
    """The event title calendars show."""
    return f"{current_app.config['PLATFORM_NAME']} session: {topic}"


def event_description(mentor_name: str, student_name: str, link: str | None) -> str:
    """The event's notes: who is meeting, and where to join."""
    lines = [f"Mentor: {mentor_name}", f"Student: {student_name}"]
    if link:
        lines.append(f"Join: {link}")
    return "\n".join(lines)
