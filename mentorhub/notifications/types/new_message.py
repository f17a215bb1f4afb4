"""`new_message`: someone wrote to the reader; at most one email per burst of messages."""

from __future__ import annotations

from datetime import datetime

from mentorhub.mail.content import PREHEADER_LIMIT, mail_copy
from mentorhub.mail.links import app_link
from mentorhub.mail.wording import cut_words, fit_subject
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import MENTOR, STUDENT

PREVIEW = (
    "Could we spend the first ten minutes on useEffect cleanup? I keep getting a warning about "
    "state updates on an unmounted component and I…"
)


def copy(c: dict) -> dict:
    """Who wrote, what they said, and the way to reply: in the app, never to this email."""
    sender = c.get("sender_name") or "Someone"
    subject = fit_subject(f"Message from {sender}", c.get("preview"))
    if c.get("sender_id"):
        action = (f"Reply to {sender}", app_link("conversation", user_id=c["sender_id"]))
    else:
        action = ("Open your messages", app_link("messages"))
    return mail_copy(subject, cut_words(c.get("preview") or "", PREHEADER_LIMIT), action)


def samples(now: datetime) -> dict[str, dict]:
    """The student writes to the mentor, and the mentor to the student."""
    return {
        role: {
            "role": role,
            "sender_name": sender["name"],
            "sender_id": sender["id"],
            "preview": PREVIEW,
        }
        for role, sender in (("mentor", STUDENT), ("student", MENTOR))
    }


TYPE = NotificationType(
    name="new_message",
    label="new message emails",
    required=("sender_name", "preview"),
    roles=("student", "mentor"),
    copy=copy,
    in_app="{sender_name}: {preview}",
    samples=samples,
    always_sent=None,
    account_mail=False,
)
