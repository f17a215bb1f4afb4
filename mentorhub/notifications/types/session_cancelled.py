"""`session_cancelled`: a cancelled session, to both participants (the canceller's calendar
holds the event too), with the calendar's CANCEL; a paid session says what happens to the
payment (PAYMENT_CANCELLATION_POLICY)."""

from __future__ import annotations

from datetime import datetime

from mentorhub.mail.content import mail_copy
from mentorhub.mail.links import app_link
from mentorhub.mail.wording import fit_subject, short_time
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import MENTOR, STUDENT, session


def copy(c: dict) -> dict:
    """Who cancelled ('you' when the reader did), and what the reader can do next."""
    when = short_time(c.get("scheduled_time"), c.get("time_zone"))
    who = None if c.get("cancelled_by_you") else c.get("cancelled_by_name")
    subject = fit_subject(f"Cancelled {when}", c.get("topic"), f"by {who}" if who else "")
    if c["role"] == "mentor":
        pre = "That time is free again in your schedule."
        action = ("See your schedule", app_link("sessions"))
    elif c.get("mentor_id"):
        pre = f"You can book another time with {c.get('mentor_name') or 'your mentor'}."
        action = ("Book another time", app_link("mentor", mentor_id=c["mentor_id"]))
    else:
        pre = "You can book another session whenever suits you."
        action = ("Find a time", app_link("mentors"))
    if c.get("cancelled_by_you"):
        pre = f"You cancelled; we let {c.get('with_name') or 'the other participant'} know. {pre}"
    elif who:
        pre = f"{who} cancelled. {pre}"
    return mail_copy(subject, pre, action)


def samples(now: datetime) -> dict[str, dict]:
    """The mentor cancels a paid session: the student is told, the mentor's own copy says 'you'."""
    reason = "A family matter came up; sorry for the short notice."
    paid = {"paid": [["49.90", "EUR"]], "reason": reason}
    return {
        "student": session(now, "student", cancelled_by_name=MENTOR["name"], **paid),
        "mentor": session(now, "mentor", cancelled_by_name=MENTOR["name"], cancelled_by_you=True)
        | paid,
        "mentor-by-student": session(now, "mentor", cancelled_by_name=STUDENT["name"]),
    }


TYPE = NotificationType(
    name="session_cancelled",
    label="cancellation notices",
    required=("topic", "scheduled_time"),
    roles=("student", "mentor"),
    copy=copy,
    in_app="Session cancelled: {topic} on {scheduled_time_human}",
    samples=samples,
    always_sent=None,
    account_mail=False,
    invite="CANCEL",
    also_stops="the calendar cancellations these emails carry, so a cancelled session stays in "
    "your calendar until you delete it",
)
