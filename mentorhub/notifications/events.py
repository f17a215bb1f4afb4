"""Platform events: the hooks where domain changes raise notifications.

Domain services call these inside their own transaction (after a flush, before commit), so the
notification rows commit or roll back together with the change that caused them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import exists, func, select

from mentorhub.extensions import db
from mentorhub.mail.wording import cut_words
from mentorhub.models import Notification, Payment, User, utcnow
from mentorhub.models.notification import NotificationStatus
from mentorhub.notifications import outbox
from mentorhub.notifications.session_notices import (
    BOTH,
    cancel_reminders,
    confirm,
    reminder_key,
    role_in,
    schedule_reminders,
    session_data,
)

if TYPE_CHECKING:
    from mentorhub.models import MentorSession

logger = logging.getLogger(__name__)
PREVIEW_CHARS = 140


def user_registered(user: User) -> None:
    """A user has just registered: `welcome`."""
    data = {"name": user.name, "role": _role(user)}
    outbox.add_for_user(user, "welcome", data, BOTH)


def session_booked(session: MentorSession) -> None:
    """A session was booked: `session_confirmed` to both, and its reminders scheduled."""
    confirm(session)
    schedule_reminders(session)


def session_rescheduled(
    session: MentorSession, previous_time: datetime | None = None, moved_by: User | None = None
) -> None:
    """A session moved: reminders for the old time never go out; both get the new time."""
    cancel_reminders(session, "session was rescheduled")
    before = previous_time.astimezone(UTC).isoformat() if previous_time else None
    confirm(session, "time", moved_by, previous_time=before)
    schedule_reminders(session)


def session_cancelled(session: MentorSession, cancelled_by: User, reason: str | None) -> None:
    """A session was cancelled: `session_cancelled` to both (its calendar CANCEL); no reminders."""
    cancel_reminders(session, "session was cancelled")
    other = session.student if cancelled_by.id == session.mentor_id else session.mentor
    data = {**session_data(session), "cancelled_by_name": cancelled_by.name, "reason": reason}
    data.update(_paid(session))
    theirs = {**data, "time_zone": other.timezone, "role": role_in(session, other)}
    theirs["with_name"] = cancelled_by.name
    outbox.add_for_user(other, "session_cancelled", theirs, BOTH)
    # The canceller's own calendar holds the event too: only an email can remove it there.
    mine = {**data, "cancelled_by_you": True, "time_zone": cancelled_by.timezone}
    mine.update(role=role_in(session, cancelled_by), with_name=other.name)
    outbox.add_for_user(cancelled_by, "session_cancelled", mine, ["email"])


def message_sent(message) -> None:
    """A message was sent: in-app `new_message` each time, email at most once per burst."""
    key = f"messages:{message.sender_id}:{message.recipient_id}"
    channels = ["in_app"]
    if not _emailed_recently(key):
        channels.append("email")
    preview = cut_words(message.body or "", PREVIEW_CHARS)
    data = {
        "sender_name": message.sender.name,
        "sender_id": message.sender_id,
        "message_id": message.id,
        "preview": preview,
        "role": _role(message.recipient),
    }
    outbox.add_for_user(message.recipient, "new_message", data, channels, subject_key=key)


def payment_received(payment) -> None:
    """A payment was recorded: `payment_received` to the mentor, a receipt to the payer."""
    session = payment.session
    data = {
        **session_data(session),
        "amount": str(payment.amount),
        "currency": payment.currency,
        "payment_id": payment.id,
        "payer_email": payment.payer_email,
        # The provider's own id for this payment, which its support can look up; our row id
        # means nothing outside this database.
        "transaction_id": payment.event_id,
        "paid_at": payment.created_at.astimezone(UTC).isoformat(),
    }
    payer = db.session.scalar(select(User).where(User.email == payment.payer_email.lower()))
    data["payer_name"] = payer.name if payer is not None else None
    key = f"payment:{payment.id}"
    outbox.add_for_user(
        session.mentor,
        "payment_received",
        {**data, "role": "mentor", "time_zone": session.mentor.timezone},
        BOTH,
        subject_key=key,
    )
    receipt = {**data, "role": "payer"}
    if payer is not None:
        receipt["time_zone"] = payer.timezone
        outbox.add_for_user(payer, "payment_received", receipt, BOTH, subject_key=key)
        return
    try:
        # The payer need not have an account: the receipt goes to the address they paid with.
        outbox.add_for_address(payment.payer_email, "payment_received", receipt, subject_key=key)
    except ValueError:
        # The provider's data must not undo the recorded payment; the mentor is still told.
        logger.warning("no receipt for payment %s: invalid payer email", payment.id)


def meeting_link_changed(
    session: MentorSession, changed_by: User | None = None, previous: str | None = None
) -> None:
    """The mentor set or cleared the call link: both get the updated invite (a change calendars
    show), and reminders not yet sent carry the new link."""
    verb = "removed" if not session.meeting_link else ("changed" if previous else "added")
    confirm(session, "link", changed_by, link_change=verb)
    rows = db.session.scalars(
        select(Notification).where(
            Notification.subject_key == reminder_key(session),
            Notification.type == "session_reminder",
            Notification.status == NotificationStatus.PENDING,
        )
    )
    for row in rows:
        # A new dict, so the JSON column sees the change.
        row.data = {**(row.data or {}), "meeting_link": session.meeting_link}


def _paid(session: MentorSession) -> dict:
    """What was paid for the session, per currency: a cancellation says what happens to it."""
    totals = db.session.execute(
        select(Payment.currency, func.sum(Payment.amount))
        .where(Payment.session_id == session.id)
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    ).all()
    return {"paid": [[str(amount), currency] for currency, amount in totals]} if totals else {}


def _role(user: User) -> str:
    return "mentor" if user.is_mentor else "student"


def _emailed_recently(key: str) -> bool:
    cooldown = timedelta(seconds=current_app.config["MESSAGE_EMAIL_COOLDOWN_SECONDS"])
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Notification.subject_key == key,
                    Notification.channel == "email",
                    Notification.created_at > utcnow() - cooldown,
                )
            )
        )
    )
