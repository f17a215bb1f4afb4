"""Platform events: the hooks where domain changes raise notifications.

Domain services call these inside their own transaction (after a flush, before commit), so the
notification rows commit or roll back together with the change that caused them.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import exists, select, update

from mentorhub.extensions import db
from mentorhub.models import Notification, User, utcnow
from mentorhub.notifications.service import notification_service

if TYPE_CHECKING:
    from mentorhub.models import MentorSession

logger = logging.getLogger(__name__)
BOTH = ("email", "in_app")
PREVIEW_CHARS = 140


def user_registered(user: User) -> None:
    """A user has just registered: `welcome`."""
    notification_service.notify_user(user, "welcome", {"name": user.name}, BOTH)


def session_booked(session: MentorSession) -> None:
    """A session was booked: `session_confirmed` to both, and its reminders scheduled."""
    _confirm(session, rescheduled=False)
    _schedule_reminders(session)


def session_rescheduled(session: MentorSession) -> None:
    """A session moved: reminders for the old time never go out; both get the new time."""
    _cancel_reminders(session, "session was rescheduled")
    _confirm(session, rescheduled=True)
    _schedule_reminders(session)


def session_cancelled(session: MentorSession, cancelled_by: User, reason: str | None) -> None:
    """A session was cancelled: `session_cancelled` to the other party; no reminders."""
    _cancel_reminders(session, "session was cancelled")
    other = session.student if cancelled_by.id == session.mentor_id else session.mentor
    data = {**_session_data(session), "cancelled_by_name": cancelled_by.name, "reason": reason}
    notification_service.notify_user(other, "session_cancelled", data, BOTH)


def message_sent(message) -> None:
    """A message was sent: in-app `new_message` each time, email at most once per burst."""
    key = f"messages:{message.sender_id}:{message.recipient_id}"
    channels = ["in_app"]
    if not _emailed_recently(key):
        channels.append("email")
    body = " ".join((message.body or "").split())
    preview = body if len(body) <= PREVIEW_CHARS else body[: PREVIEW_CHARS - 1] + "…"
    data = {
        "sender_name": message.sender.name,
        "sender_id": message.sender_id,
        "message_id": message.id,
        "preview": preview,
    }
    notification_service.notify_user(
        message.recipient, "new_message", data, channels, subject_key=key
    )


def payment_received(payment) -> None:
    """A payment was recorded: `payment_received` to the mentor, a receipt to the payer."""
    session = payment.session
    data = {
        **_session_data(session),
        "amount": str(payment.amount),
        "currency": payment.currency,
        "payment_id": payment.id,
        "payer_email": payment.payer_email,
    }
    key = f"payment:{payment.id}"
    notification_service.notify_user(
        session.mentor, "payment_received", {**data, "role": "mentor"}, BOTH, subject_key=key
    )
    receipt = {**data, "role": "payer"}
    payer = db.session.scalar(select(User).where(User.email == payment.payer_email.lower()))
    if payer is not None:
        notification_service.notify_user(payer, "payment_received", receipt, BOTH, subject_key=key)
        return
    try:
        # The payer need not have an account: the receipt goes to the address they paid with.
        notification_service.notify_address(
            payment.payer_email, "payment_received", receipt, subject_key=key
        )
    except ValueError:
        # The provider's data must not undo the recorded payment; the mentor is still told.
        logger.warning("no receipt for payment %s: invalid payer email", payment.id)


def _session_data(session: MentorSession) -> dict:
    return {
        "session_id": session.id,
        "topic": session.topic,
        "scheduled_time": session.scheduled_time.astimezone(UTC).isoformat(),
        "duration_minutes": session.duration_minutes,
        "meeting_link": session.meeting_link,
    }


def _confirm(session: MentorSession, rescheduled: bool) -> None:
    base = {**_session_data(session), "rescheduled": rescheduled}
    for user, other in ((session.student, session.mentor), (session.mentor, session.student)):
        data = {**base, "with_name": other.name}
        notification_service.notify_user(user, "session_confirmed", data, BOTH)


def _schedule_reminders(session: MentorSession) -> None:
    now = utcnow()
    base = _session_data(session)
    for offset in current_app.config["SESSION_REMINDER_OFFSETS"]:
        at = session.scheduled_time - timedelta(minutes=offset)
        if at <= now:
            continue  # booked (or moved) inside this offset: that reminder is skipped
        for user, other in ((session.student, session.mentor), (session.mentor, session.student)):
            notification_service.notify_user(
                user,
                "session_reminder",
                {**base, "with_name": other.name, "offset_minutes": offset},
                send_after=at,
                subject_key=_reminder_key(session),
            )


def _cancel_reminders(session: MentorSession, why: str) -> None:
    # Jobs already queued for these rows find them cancelled; the job also re-checks the session.
    db.session.execute(
        update(Notification)
        .where(
            Notification.subject_key == _reminder_key(session),
            Notification.type == "session_reminder",
            Notification.status == "pending",
        )
        .values(status="cancelled", last_error=why, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _reminder_key(session: MentorSession) -> str:
    return f"session:{session.id}"


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
