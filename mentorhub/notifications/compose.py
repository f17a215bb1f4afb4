"""A claimed notification row, and the email built for it."""

from __future__ import annotations

from dataclasses import dataclass

from mentorhub.calendars import invite_for
from mentorhub.mail.message import RenderedEmail, sender_domain
from mentorhub.mail.rendering import render_email
from mentorhub.notifications.preferences import unsubscribe_link
from mentorhub.notifications.types import is_locked


@dataclass
class PreparedRow:
    """A claimed notification, ready to send."""

    id: int
    user_id: int | None
    to: str
    type: str
    data: dict
    attempts: int


def build_email(row: PreparedRow) -> RenderedEmail:
    """The rendered email for a row, with a stable Message-ID and one-click unsubscribe headers.

    Types no one may turn off carry no unsubscribe link at all: offering one would be a promise
    the link cannot keep for this very email.
    """
    locked = is_locked(row.type, "email")
    url = label = None
    if row.user_id is not None and not locked:
        url, label = unsubscribe_link(row.user_id, row.type)
    email = render_email(row.to, row.type, row.data, url, label, locked=locked)
    # Stable per notification: if a crash ever makes us send one twice, it is the same message.
    email.message_id = f"<notification-{row.id}@{sender_domain()}>"
    email.calendar = invite_for(row.type, row.data)
    if url:
        # RFC 8058: mail clients offer an unsubscribe button that POSTs to this URL.
        email.headers = {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return email
