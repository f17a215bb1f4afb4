"""Platform events: the hooks where domain changes raise notifications.

Domain services call these inside their own transaction (after a flush, before commit), so the
notification rows commit or roll back together with the change that caused them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorhub.models import MentorSession, User


def user_registered(user: User) -> None:
    """A user has just registered: `welcome`."""


def session_booked(session: MentorSession) -> None:
    """A session was booked: `session_confirmed` to both, and its reminders scheduled."""


def session_rescheduled(session: MentorSession) -> None:
    """A session moved: reminders for the old time must never go out."""


def session_cancelled(session: MentorSession, cancelled_by: User, reason: str | None) -> None:
    """A session was cancelled: `session_cancelled` to the other party; no reminders."""


def message_sent(message) -> None:
    """A message was sent: in-app `new_message` each time, email at most once per burst."""


def payment_received(payment) -> None:
    """A payment was recorded: `payment_received` to the mentor, a receipt to the payer."""
