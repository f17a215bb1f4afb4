"""Operator actions on notifications: counts, and re-opening failed ones."""

from __future__ import annotations

from sqlalchemy import func, select

from mentorhub.extensions import db
from mentorhub.models import Notification, utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.notifications.job_queue import enqueue_after_commit


def counts_by_status_and_type() -> dict[tuple[str, str], int]:
    """How many notifications there are per (status, type)."""
    rows = db.session.execute(
        select(Notification.status, Notification.type, func.count()).group_by(
            Notification.status, Notification.type
        )
    )
    return {(status, type_name): count for status, type_name, count in rows}


def retry_failed(notification_id: int | None = None) -> int:
    """Make failed notifications pending again with fresh attempts; return how many.

    ValueError when `notification_id` names no failed notification.
    """
    query = select(Notification).where(Notification.status == S.FAILED).with_for_update()
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    rows = db.session.scalars(query.order_by(Notification.id)).all()
    if notification_id is not None and not rows:
        db.session.rollback()
        raise ValueError(f"no failed notification with id {notification_id}")
    session = db.session()
    now = utcnow()
    for row in rows:
        row.status = S.PENDING
        row.attempts = 0
        # A fresh retry lifetime; send_after stays, so a reminder now too late still expires.
        row.first_failed_at = None
        row.queued_at = now
        enqueue_after_commit(session, row, None)
    db.session.commit()
    return len(rows)
