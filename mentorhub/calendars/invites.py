"""The calendar part of session emails: an iTIP REQUEST (a booking or any later change) or CANCEL.

The platform itself is the ORGANIZER (its sending address, named after the platform) and both
participants are ATTENDEEs who are asked for no reply: each calendar then holds an event that
someone else organizes, which clients add and update as an invitation, and the event does not
depend on either participant's account (README, "Time zones and calendars").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentorhub.calendars.ical import Party, SessionEvent, build_calendar, session_uid
from mentorhub.calendars.meeting_links import shown_meeting_link
from mentorhub.calendars.zones import parse_instant
from mentorhub.extensions import db
from mentorhub.models import MentorSession, utcnow

FILENAMES = {"REQUEST": "invite.ics", "CANCEL": "cancellation.ics"}


@dataclass(frozen=True)
class Participants:
    """Who a session's event names, read when its mail is built (addresses are not kept)."""

    mentor: Party | None
    student: Party | None
    minutes: int
    topic: str
    link: str | None


ParticipantsLookup = Callable[[int], "Participants | None"]


def session_participants(session_id: int) -> Participants | None:
    """The session's participants as they are now; None once the session is gone."""
    session = db.session.scalar(
        select(MentorSession)
        .where(MentorSession.id == session_id)
        .options(selectinload(MentorSession.mentor), selectinload(MentorSession.student))
    )
    if session is None:
        return None
    mentor, student = session.mentor, session.student
    return Participants(
        mentor=Party(mentor.name, mentor.email) if mentor is not None else None,
        student=Party(student.name, student.email) if student is not None else None,
        minutes=session.duration_minutes,
        topic=session.topic,
        link=session.meeting_link,
    )


def invite_for(
    method: str | None,
    data: dict,
    organizer: Party,
    lookup: ParticipantsLookup = session_participants,
) -> tuple[bytes, str] | None:
    """The iCalendar data and METHOD for a notification's email; None when it has none.

    Time, length, link and SEQUENCE come from the notification (the session as it was at that
    change); the participants come from `lookup`, as their addresses are not kept in
    notification data.
    """
    start = parse_instant(data.get("scheduled_time"))
    session_id = data.get("session_id")
    if method is None or start is None or not isinstance(session_id, int):
        return None  # a free-form notification, not one raised by a session
    found = lookup(session_id)
    if found is None:
        return None
    link = shown_meeting_link(data.get("meeting_link") if "meeting_link" in data else found.link)
    names = [p.name if p else "" for p in (found.mentor, found.student)]
    event = SessionEvent(
        uid=session_uid(session_id, current_app.config["PUBLIC_BASE_URL"]),
        sequence=int(data.get("sequence") or 0),
        start=start,
        minutes=int(data.get("duration_minutes") or found.minutes),
        summary=event_summary(data.get("topic") or found.topic),
        description=event_description(*names, link),
        stamp=utcnow(),
        link=link,
        cancelled=method == "CANCEL",
        organizer=organizer,
        attendees=tuple(p for p in (found.mentor, found.student) if p is not None),
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
