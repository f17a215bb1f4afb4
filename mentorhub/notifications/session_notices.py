"""What a session's two participants are told: confirmations and the reminders before it.

Reminder rows share one subject key per session, so a cancellation or a new meeting link can
find the ones not sent yet.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import current_app
from sqlalchemy import update

from mentorhub.extensions import db
from mentorhub.models import MentorSession, Notification, User, utcnow
from mentorhub.models.notification import NotificationStatus
from mentorhub.notifications import outbox

BOTH = ("email", "in_app")


def session_data(session: MentorSession) -> dict:
    """What every notice about a session carries, whoever it is for."""
    return {
        "session_id": session.id,
        "topic": session.topic,
        "scheduled_time": session.scheduled_time.astimezone(UTC).isoformat(),
        "duration_minutes": session.duration_minutes,
        "meeting_link": session.meeting_link,
        "mentor_id": session.mentor_id,
        "mentor_name": session.mentor.name,
        "student_name": session.student.name,
        # The iCalendar SEQUENCE at this change: the invite or cancel built from it carries it.
        "sequence": session.sequence,
    }


def confirm(
    session: MentorSession, change: str | None = None, by: User | None = None, **extra: object
) -> None:
    """`session_confirmed` (with its calendar invite) to both, each in their own zone and role.

    `change` is None for a booking, "time" or "link" for a change `by` one of them: the one
    who made it reads "you", and gets it by email only (their calendar needs the update, their
    inbox does not need news of their own doing).
    """
    base = {**session_data(session), "change": change, "rescheduled": change == "time", **extra}
    for user, other in ((session.student, session.mentor), (session.mentor, session.student)):
        data = {**base, "with_name": other.name, "time_zone": user.timezone}
        data["role"] = role_in(session, user)
        channels = BOTH
        if by is not None:
            data.update(changed_by_name=by.name, changed_by_you=by.id == user.id)
            channels = ["email"] if by.id == user.id and change == "link" else BOTH
        outbox.add_for_user(user, "session_confirmed", data, channels)


def schedule_reminders(session: MentorSession) -> None:
    """Pending reminders for both participants at each offset still ahead of the session."""
    now = utcnow()
    base = session_data(session)
    for offset in current_app.config["SESSION_REMINDER_OFFSETS"]:
        at = session.scheduled_time - timedelta(minutes=offset)
        if at <= now:
            continue  # booked (or moved) inside this offset: that reminder is skipped
        for user, other in ((session.student, session.mentor), (session.mentor, session.student)):
            outbox.add_for_user(
                user,
                "session_reminder",
                {
                    **base,
                    "with_name": other.name,
                    "offset_minutes": offset,
                    "time_zone": user.timezone,
                    "role": role_in(session, user),
                },
                send_after=at,
                subject_key=reminder_key(session),
            )


def cancel_reminders(session: MentorSession, why: str) -> None:
    """Mark the session's unsent reminders cancelled, giving `why`."""
    # Jobs already queued for these rows find them cancelled; the job also re-checks the session.
    db.session.execute(
        update(Notification)
        .where(
            Notification.subject_key == reminder_key(session),
            Notification.type == "session_reminder",
            Notification.status == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.CANCELLED, last_error=why, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def role_in(session: MentorSession, user: User) -> str:
    """Whether `user` is the session's mentor or its student."""
    return "mentor" if user.id == session.mentor_id else "student"


def reminder_key(session: MentorSession) -> str:
    """The subject key every reminder row of a session shares."""
    return f"session:{session.id}"
