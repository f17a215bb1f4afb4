"""What each email says before its body: subject, preheader and the one primary action.

Every builder gets the notification's data plus `platform`, `role` and `now`, and returns the
fields the templates use. Roles: `mentor` or `student` for session mail and welcomes, `payer`
or `mentor` for payments, the recipient's side of the conversation for messages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mentorhub.calendars import format_end
from mentorhub.mail.links import app_link, meeting_link
from mentorhub.mail.wording import (
    cut_words,
    day_and_time,
    fit_subject,
    long_time,
    money,
    short_time,
    soon,
    time_until,
)

PREHEADER_LIMIT = 110
DEFAULT_ROLES = {"payment_received": "payer"}
# What the footer says instead of an unsubscribe link, for the types no one can turn off.
LOCKED_NOTES = {
    "welcome": "This email confirms that an account was opened with your address, so it is "
    "always sent.",
    "payment_received": "Payment receipts and notices are records of money, so they are always "
    "sent.",
}


def welcome(c: dict) -> dict:
    """A new account: mentors set up their profile, students find a mentor."""
    if c["role"] == "mentor":
        pre = "Your mentor account is ready. Add what you can teach, so students can book you."
        action = ("Set up your mentor profile", app_link("profile"))
    else:
        pre = "Your account is ready. Find a mentor and book your first session."
        action = ("Find a mentor", app_link("mentors"))
    # The address is not confirmed yet: its owner sees only our words in the subject.
    return _copy(fit_subject(f"Welcome to {c['platform']}"), pre, action)


def session_confirmed(c: dict) -> dict:
    """A booking (or a move) seen by the mentor who was booked or the student who booked."""
    other, when = c.get("with_name"), short_time(c.get("scheduled_time"), c.get("time_zone"))
    if c.get("rescheduled"):
        fact = f"Moved to {when}"
        before = c.get("previous_time_human")
        pre = f"{c.get('topic')} moved" + (f" from {before}" if before else "")
        pre += f" to {c['scheduled_time_human']}."
    elif c["role"] == "mentor":
        fact = f"New booking {when}"
        pre = f"{other or 'A student'} booked you for {c['scheduled_time_human']}."
    else:
        fact = f"Confirmed {when}"
        pre = "You're booked. Note what you want to cover, so the time goes to your questions."
    subject = fit_subject(fact, c.get("topic"), f"with {other}" if other else "")
    return _copy(subject, pre, _session_action(c, "View the session"))


def session_reminder(c: dict) -> dict:
    """Shortly before a session: when, with whom, and the way in."""
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
    action = ("Join the call", link) if link else _session_action(c, "Open the session")
    return _copy(subject, pre, action)


def session_cancelled(c: dict) -> dict:
    """A cancelled session: who cancelled, and what the recipient can do next."""
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
    return _copy(subject, pre, action)


def new_message(c: dict) -> dict:
    """A message: who wrote, what they said, and the way to reply."""
    sender = c.get("sender_name") or "Someone"
    subject = fit_subject(f"Message from {sender}", c.get("preview"))
    if c.get("sender_id"):
        action = (f"Reply to {sender}", app_link("conversation", user_id=c["sender_id"]))
    else:
        action = ("Open your messages", app_link("messages"))
    return _copy(subject, cut_words(c.get("preview") or "", PREHEADER_LIMIT), action)


def payment_received(c: dict) -> dict:
    """A payment: the payer's receipt, or the mentor's notice of money received."""
    amount = c["amount_text"]
    if c["role"] == "mentor":
        payer = c.get("payer_name") or c.get("payer_email")
        subject = fit_subject(f"{amount} received", c.get("topic"), f"from {payer}")
        paid = f" on {c['paid_at_human']}" if c.get("paid_at_human") else ""
        pre = f"{payer} paid {amount}{paid} for {c.get('topic') or 'a session'}."
        action = ("See your payments", app_link("payments"))
    else:
        subject = fit_subject(f"Receipt for {amount}", c.get("topic"))
        paid = f"Paid {c['paid_at_human']}. " if c.get("paid_at_human") else ""
        pre = f"{paid}Keep this email as your receipt."
        action = _session_action(c, "View the session")
    return _copy(subject, pre, action)


BUILDERS: dict[str, Callable[[dict], dict]] = {
    f.__name__: f
    for f in (
        welcome,
        session_confirmed,
        session_reminder,
        session_cancelled,
        new_message,
        payment_received,
    )
}


def email_context(type_name: str, data: dict, platform: str, locale: str, now: datetime) -> dict:
    """The template context of one email: its data, readable times and amounts, and its copy."""
    c = dict(data)
    c.update(platform=platform, now=now)
    c["role"] = data.get("role") or DEFAULT_ROLES.get(type_name, "student")
    c["meeting_link"] = meeting_link(data.get("meeting_link"))
    zone = data.get("time_zone")
    c["scheduled_time_human"] = long_time(data.get("scheduled_time"), zone)
    c["previous_time_human"] = long_time(data.get("previous_time"), zone) or None
    # Written with its own offset: a session can straddle a daylight-saving change.
    c["end_time_human"] = format_end(data.get("scheduled_time"), data.get("duration_minutes"), zone)
    if data.get("scheduled_time") and not data.get("time_until"):
        # Worked out when the mail is rendered, so a late job still says the truth.
        c["time_until"] = time_until(data["scheduled_time"], now)
    c["amount_text"] = money(data.get("amount"), data.get("currency"), locale)
    c["paid_at_human"] = long_time(data.get("paid_at"), zone) or None
    c["locked_note"] = LOCKED_NOTES.get(type_name, "This email is always sent.")
    c.update(BUILDERS[type_name](c))
    return c


def _copy(subject: str, preheader: str, action: tuple[str, str]) -> dict:
    return {
        "subject": subject,
        "preheader": cut_words(preheader, PREHEADER_LIMIT),
        "action_label": action[0],
        "action_url": action[1],
    }


def _session_action(c: dict, label: str) -> tuple[str, str]:
    if c.get("session_id"):
        return label, app_link("session", session_id=c["session_id"])
    return "See your sessions", app_link("sessions")
