"""`session_reminder`: shortly before a session (SESSION_REMINDER_OFFSETS): when, with whom,
and the way in."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorhub.mail.content import mail_copy, session_action
from mentorhub.mail.wording import day_and_time, fit_subject, soon, time_until
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import session


def copy(c: dict) -> dict:
    """The time left first; the call link as the action once there is one."""
    now: datetime = c["now"]
    start = c.get("scheduled_time")
    if start and soon(start, now):
        fact = time_until(start, now).capitalize()
    elif start:
        fact = day_and_time(start, c.get("time_zone"), now)
    else:
        fact = str(c.get("time_until") or "Soon").capitalize()
    other = c.get("with_name")
    subject = fit_subject(fact, c.get("topic"), f"with {other}" if other else "")
    if c["role"] == "mentor":
        pre = f"{other or 'Your student'} is coming with questions about {c.get('topic')}."
    else:
        pre = "Have your questions ready and check your camera and microphone."
    link = c.get("meeting_link")
    action = ("Join the call", link) if link else session_action(c, "Open the session")
    return mail_copy(subject, pre, action)


def samples(now: datetime) -> dict[str, dict]:
    """The one-hour reminder, for each side."""
    start = (now + timedelta(minutes=60)).isoformat()
    return {role: session(now, role, scheduled_time=start) for role in ("student", "mentor")}


TYPE = NotificationType(
    name="session_reminder",
    label="session reminders",
    required=("topic", "scheduled_time"),
    roles=("student", "mentor"),
    copy=copy,
    in_app="Reminder: {topic} starts {time_until}",
    samples=samples,
    always_sent=None,
    account_mail=False,
)
