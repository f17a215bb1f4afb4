"""`session_confirmed`: a booking, and every later change a calendar shows (a new time, a new
call link), to both participants. Each carries the session's calendar invite (iTIP REQUEST)
with the SEQUENCE of that change, so calendars add the session and then keep it current."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorhub.mail.content import actor, mail_copy, session_action
from mentorhub.mail.wording import fit_subject, short_time
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import MENTOR, session, start_of

LINK_VERBS = {"added": "added", "changed": "changed", "removed": "removed"}


def change_of(c: dict) -> str | None:
    """What this mail is about: None (a booking), "time" or "link"."""
    # Rows written before changes were named said only `rescheduled`.
    return c.get("change") or ("time" if c.get("rescheduled") else None)


def copy(c: dict) -> dict:
    """The fact first: a new booking, a confirmation, a new time or a new call link."""
    other, change = c.get("with_name"), change_of(c)
    when = short_time(c.get("scheduled_time"), c.get("time_zone"))
    who = actor(c, "changed") or c.get("moved_by_name") or ""
    verb = LINK_VERBS.get(c.get("link_change") or "", "changed")
    if change == "time":
        fact = f"Moved to {when}"
        pre = f"{who or 'Your session'} moved {'the session ' if who else ''}to {c['when_human']}."
    elif change == "link":
        fact = f"Call link {verb} for {when}"
        pre = f"{who or 'Your mentor'} {verb} the call link; the invite here updates your calendar."
    elif c["role"] == "mentor":
        fact = f"New booking {when}"
        pre = f"{other or 'A student'} booked you for {c['when_human']}."
    else:
        fact = f"Confirmed {when}"
        pre = "You're booked. Note what you want to cover, so the time goes to your questions."
    subject = fit_subject(fact, c.get("topic"), f"with {other}" if other else "")
    copied = mail_copy(subject, pre, _action(c))
    return {**copied, "change": change, "who": who, "link_verb": verb}


def _action(c: dict) -> tuple[str, str]:
    if change_of(c) == "link" and c.get("meeting_link"):
        return "Open the call link", c["meeting_link"]
    return session_action(c, "View the session")


def in_app(c: dict) -> str:
    """'Session confirmed: …', 'Session moved: …' or 'Call link added: …'."""
    change, topic, when = change_of(c), c.get("topic"), c.get("scheduled_time_human")
    if change == "time":
        return f"Session moved: {topic} to {when}"
    if change == "link":
        return (
            f"Call link {LINK_VERBS.get(c.get('link_change') or '', 'changed')}: {topic} on {when}"
        )
    return f"Session confirmed: {topic} on {when}"


def samples(now: datetime) -> dict[str, dict]:
    """A booking for each side; the mentor moving it; the mentor adding the call link."""
    before = (start_of(now) - timedelta(days=1)).isoformat()
    moved = {"change": "time", "previous_time": before, "changed_by_name": MENTOR["name"]}
    link = {"change": "link", "link_change": "added", "changed_by_name": MENTOR["name"]}
    return {
        "student": session(now, "student"),
        "mentor": session(now, "mentor"),
        "student-moved": session(now, "student", sequence=1, **moved),
        "mentor-moved": session(now, "mentor", sequence=1, changed_by_you=True, **moved),
        "student-link": session(now, "student", sequence=2, **link),
        "mentor-link": session(now, "mentor", sequence=2, changed_by_you=True, **link),
    }


TYPE = NotificationType(
    name="session_confirmed",
    label="session confirmations and changes",
    required=("topic", "scheduled_time"),
    roles=("student", "mentor"),
    copy=copy,
    in_app=in_app,
    samples=samples,
    always_sent=None,
    account_mail=False,
    invite="REQUEST",
    also_stops="the calendar invites these emails carry, so your calendar no longer adds your "
    "sessions or follows their changes",
)
