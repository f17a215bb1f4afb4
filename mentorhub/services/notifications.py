"""The notification service: `notification_service.send_notification(...)` notifies a user.

The call is synchronous and quick: it writes one outbox row per channel into the caller's
database transaction and returns the rows. Nothing is sent yet. When the caller commits, in-app
rows are in the user's inbox and email rows go to the workers, which send them with retries
(in-process, without REDIS_URL). A rollback sends nothing. It needs an app context and a user
row that exists; bad input is a ValueError with nothing stored.

Times in `data` are ISO 8601; one without a zone (`'2024-02-20 15:00'`) is UTC, and every
reader sees it in their own time zone, as with every other time the platform sends.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from mentorhub.extensions import db
from mentorhub.models import Notification, User
from mentorhub.notifications import outbox


class NotificationService:
    """Notify users (or, for receipts, an address) on their channels: `email`, `in_app`."""

    def send_notification(
        self,
        user_email: str,
        notification_type: str,
        data: dict,
        channels: Sequence[str] = ("email",),
    ) -> list[Notification]:
        """Store a notification per channel for the user with this email and return the rows.

        The rows join the current transaction: commit it (as every request that raises an event
        does) and they are delivered. ValueError, with nothing stored, for an unknown type,
        channel or user, or data missing what the type's templates need.
        """
        if not isinstance(user_email, str):
            raise ValueError("user_email must be a string")
        user = db.session.scalar(select(User).where(User.email == user_email.strip().lower()))
        if user is None:
            raise ValueError(f"no user with email {user_email!r}")
        if isinstance(data, dict) and not data.get("time_zone"):
            # The reader's zone, as the platform's own notices carry it.
            data = {**data, "time_zone": user.timezone}
        return outbox.add_for_user(user, notification_type, data, channels)

    # The platform's own events notify a loaded user (optionally at `send_after`), or an
    # address without an account (a payer's receipt), straight through the outbox.
    notify_user = staticmethod(outbox.add_for_user)
    notify_address = staticmethod(outbox.add_for_address)


notification_service = NotificationService()
