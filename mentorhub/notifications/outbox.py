"""The outbox: notification rows written in the caller's transaction, delivered after commit.

`add_for_user` and `add_for_address` add rows to the caller's database session and return them.
They commit with the caller's transaction (the event that caused them) and are handed to
delivery after that commit (`after_commit`). Nothing is stored for bad input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from mentorhub.extensions import db
from mentorhub.mail.addresses import AddressError, app_mailable
from mentorhub.models import Notification, User, utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.notifications.job_queue import enqueue_after_commit
from mentorhub.notifications.preferences import disabled_channels
from mentorhub.notifications.types import check_channels, get_type
from mentorhub.observability import record_notification_created


def add_for_user(
    user: User,
    notification_type: str,
    data: dict,
    channels: Sequence[str] = ("email",),
    *,
    send_after: datetime | None = None,
    subject_key: str | None = None,
    to: str | None = None,
) -> list[Notification]:
    """Store a notification per channel for `user`, optionally due at `send_after`.

    Account mail goes to `to` (an address being checked, say) or else to the address the user
    has now, kept on the row; other mail goes to the user's address at the time it is sent.
    ValueError, with nothing stored, for an unknown type or channel, data missing what the
    type's templates need, or `to` for a type that is not account mail.
    """
    prepared = _validate(notification_type, data, channels)
    if get_type(notification_type).account_mail:
        to = _address(to or user.email)
    elif to is not None:
        raise ValueError(f"{notification_type} is not account mail: it goes to the user")
    return _store(user, to, notification_type, prepared, channels, send_after, subject_key)


def add_for_address(
    email: str, notification_type: str, data: dict, *, subject_key: str | None = None
) -> list[Notification]:
    """Email someone without an account (a payer's receipt); ValueError for a bad address."""
    prepared = _validate(notification_type, data, ["email"])
    return _store(None, _address(email), notification_type, prepared, ["email"], None, subject_key)


def _address(email: str) -> str:
    # The rule sign-up and delivery apply: a row is only stored for an address we can mail.
    try:
        return app_mailable(email).stored
    except (AddressError, TypeError, AttributeError):
        raise ValueError(f"not a valid email address: {email!r}") from None


def _validate(type_name: str, data: dict, channels: Iterable[str]) -> dict:
    spec = get_type(type_name)
    check_channels(channels)
    if not isinstance(data, dict):
        raise ValueError("data must be a dict")
    missing = [key for key in spec.required if key not in data]
    if missing:
        raise ValueError(f"{type_name} needs data {', '.join(missing)}")
    try:
        # Stored as JSON and rendered later by a worker: only plain data survives that trip.
        return json.loads(json.dumps(data, default=_plain))
    except (TypeError, ValueError) as error:
        raise ValueError(f"data must be JSON-serialisable: {error}") from None


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _store(
    user: User | None,
    address: str | None,
    type_name: str,
    data: dict,
    channels: Iterable[str],
    send_after: datetime | None = None,
    subject_key: str | None = None,
) -> list[Notification]:
    session = db.session()
    first = get_type(type_name).account_mail
    off = disabled_channels(user.id, type_name) if user is not None and not first else set()
    now = utcnow()
    rows = []
    for channel in check_channels(channels):
        # In-app notifications are delivered by being stored; email waits for a worker.
        status = S.SKIPPED if channel in off else (S.SENT if channel == "in_app" else S.PENDING)
        row = Notification(
            user_id=user.id if user is not None else None,
            email=address if channel == "email" else None,
            type=type_name,
            channel=channel,
            data=data,
            status=status,
            subject_key=subject_key,
            send_after=send_after if channel == "email" else None,
            queued_at=max(send_after or now, now),
            sent_at=now if status == S.SENT else None,
            last_error="turned off by the recipient" if status == S.SKIPPED else None,
        )
        session.add(row)
        rows.append(row)
        record_notification_created(type_name, channel)
        if status == S.PENDING:
            enqueue_after_commit(session, row, send_after, first)
    session.flush()
    return rows
