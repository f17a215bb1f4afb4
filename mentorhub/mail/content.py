"""The context of one email's templates: its data, what it derives for the reader, its copy.

The copy (subject, preheader and the one primary action) is the type's own: each notification
type declares a `copy(context)` function (mentorhub.notifications.types), built with the
helpers below. Every copy function gets the data plus `platform`, `role`, `now` and the
readable times and amounts worked out here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from mentorhub.mail.links import app_link, meeting_link
from mentorhub.mail.wording import cut_words, long_time, money, span, time_until

PREHEADER_LIMIT = 110


class MailKind(Protocol):
    """What rendering needs of a notification type (its declaration provides it)."""

    name: str
    always_sent: str | None
    copy: Callable[[dict], dict]

    @property
    def default_role(self) -> str:
        """The recipient's role when the data does not say."""


def email_context(kind: MailKind, data: dict, settings: dict, now: datetime) -> dict:
    """The template context of one email; `settings`: platform, locale, payment_policy."""
    c = dict(data)
    c.update(platform=settings["platform"], now=now, payment_policy=settings["payment_policy"])
    c["role"] = data.get("role") or kind.default_role
    c["meeting_link"] = meeting_link(data.get("meeting_link"))
    zone, minutes = data.get("time_zone"), data.get("duration_minutes")
    c["scheduled_time_human"] = long_time(data.get("scheduled_time"), zone)
    # Start to end, each with its offset: a session can straddle a daylight-saving change.
    c["when_human"] = span(data.get("scheduled_time"), minutes, zone)
    c["previous_time_human"] = span(data.get("previous_time"), minutes, zone) or None
    if data.get("scheduled_time") and not data.get("time_until"):
        # Worked out when the mail is rendered, so a late job still says the truth.
        c["time_until"] = time_until(data["scheduled_time"], now)
    locale = settings["locale"]
    c["amount_text"] = money(data.get("amount"), data.get("currency"), locale)
    c["paid_at_human"] = long_time(data.get("paid_at"), zone) or None
    if data.get("paid"):
        c["paid_text"] = " and ".join(money(a, currency, locale) for a, currency in data["paid"])
        c["payments_url"] = app_link("payments")
    c["locked_note"] = kind.always_sent
    c.update(kind.copy(c))
    return c


def mail_copy(subject: str, preheader: str, action: tuple[str, str]) -> dict:
    """A copy function's answer: the subject, the preheader and the one action (label, URL)."""
    return {
        "subject": subject,
        "preheader": cut_words(preheader, PREHEADER_LIMIT),
        "action_label": action[0],
        "action_url": action[1],
    }


def session_action(c: dict, label: str) -> tuple[str, str]:
    """The session's own page, or the list of sessions when the data names none."""
    if c.get("session_id"):
        return label, app_link("session", session_id=c["session_id"])
    return "See your sessions", app_link("sessions")


def actor(c: dict, prefix: str) -> str:
    """'You' when the reader made the change, else the name of who did (or '')."""
    if c.get(f"{prefix}_by_you"):
        return "You"
    return c.get(f"{prefix}_by_name") or ""
