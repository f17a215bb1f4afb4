"""The in-app inbox: a user's own in-app notifications, and marking them read."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from mentorhub.errors import NotFound
from mentorhub.extensions import db
from mentorhub.models import Notification, User, utcnow
from mentorhub.models.notification import NotificationStatus
from mentorhub.models.pagination import paginate
from mentorhub.notifications.types import in_app_text


def _inbox(user: User):
    return select(Notification).where(
        Notification.user_id == user.id,
        Notification.channel == "in_app",
        Notification.status == NotificationStatus.SENT,
    )


def list_inbox(user: User, unread: bool, page: int, per_page: int) -> dict:
    """One page of the user's in-app notifications, newest first."""
    query = _inbox(user)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    result = paginate(query.order_by(Notification.id.desc()), page, per_page)
    result["items"] = [present(row) for row in result["items"]]
    return result


def present(row: Notification) -> dict:
    """A notification as the API shows it, with its in-app text."""
    return {
        "id": row.id,
        "type": row.type,
        "text": in_app_text(row.type, row.data or {}, current_app.config["PLATFORM_NAME"]),
        "data": row.data or {},
        "read": row.read_at is not None,
        "read_at": row.read_at,
        "created_at": row.created_at,
    }


def mark_read(user: User, notification_id: int) -> dict:
    """Mark one of the user's in-app notifications read; 404 for anyone else's."""
    row = db.session.scalar(_inbox(user).where(Notification.id == notification_id))
    if row is None:
        raise NotFound("Notification not found.")
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    return present(row)


def mark_all_read(user: User) -> int:
    """Mark every unread in-app notification of the user read; return how many."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.channel == "in_app",
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount
