"""A claimed notification row, and the email built for it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from mentorhub.calendars import FILENAMES, Party, invite_for
from mentorhub.calendars.invites import ParticipantsLookup, session_participants
from mentorhub.mail import RenderedEmail, app_sender, render_email, sender_domain
from mentorhub.notifications.preferences import unsubscribe_link
from mentorhub.notifications.types import get_type


@dataclass
class PreparedRow:
    """A claimed notification, ready to send."""

    id: int
    user_id: int | None
    to: str
    type: str
    data: dict
    attempts: int


def build_email(
    row: PreparedRow, participants: ParticipantsLookup = session_participants
) -> RenderedEmail:
    """The rendered email for a row, with a stable Message-ID and one-click unsubscribe headers.

    Types no one may turn off carry no unsubscribe link at all: offering one would be a promise
    the link cannot keep for this very email. `participants` names the people a calendar invite
    lists (the session's, read from the database, unless a preview supplies its own).
    """
    kind = get_type(row.type)
    url = label = None
    if row.user_id is not None and kind.always_sent is None:
        url, _ = unsubscribe_link(row.user_id, row.type)
        label = kind.label
    email = render_email(row.to, kind, row.data, url, label)
    # Stable per notification: if a crash ever makes us send one twice, it is the same message.
    email.message_id = f"<notification-{row.id}@{sender_domain()}>"
    email.calendar = invite_for(kind.invite, row.data, organizer(), participants)
    if email.calendar is not None:
        email.calendar_filename = FILENAMES[email.calendar[1]]
    if url:
        # RFC 8058: mail clients offer an unsubscribe button that POSTs to this URL.
        email.headers = {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return email


def organizer() -> Party:
    """The ORGANIZER of every session event: the platform's own sending address."""
    return Party(current_app.config["PLATFORM_NAME"], app_sender()[0].addr_spec)
