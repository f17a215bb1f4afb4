"""`review_received`: a student reviewed a session; its mentor is told the rating and an excerpt.
Optional, like every type that is not a record or about the account."""

from __future__ import annotations

from datetime import datetime

from mentorhub.mail.content import mail_copy, session_action
from mentorhub.mail.wording import fit_subject
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import STUDENT, session


def copy(c: dict) -> dict:
    """The rating first, then the topic; the excerpt is the preheader."""
    reviewer = c.get("reviewer_name") or "A student"
    subject = fit_subject(f"New review, {c['rating']} of 5", c.get("topic"), f"from {reviewer}")
    pre = c.get("excerpt") or f"{reviewer} rated your session {c['rating']} out of 5."
    return mail_copy(subject, pre, session_action(c, "Read the review"))


def samples(now: datetime) -> dict[str, dict]:
    """The student reviews the sample session."""
    excerpt = (
        "Zoë explained the effect cleanup rules so clearly that my warning finally made sense."
    )
    return {
        "mentor": session(now, "mentor", rating=5, reviewer_name=STUDENT["name"], excerpt=excerpt)
    }


TYPE = NotificationType(
    name="review_received",
    label="review notices",
    required=("rating", "reviewer_name"),
    roles=("mentor",),
    copy=copy,
    in_app="New review: {rating} of 5 from {reviewer_name}",
    samples=samples,
    always_sent=None,
    account_mail=False,
)
