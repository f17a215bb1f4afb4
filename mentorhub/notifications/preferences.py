"""What delivery needs of users' preferences: the channels they turned off, and the signed
one-click unsubscribe links (`mentorhub.services.notification_preferences` changes them)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from mentorhub.errors import BadRequest
from mentorhub.extensions import db
from mentorhub.models import NotificationPreference
from mentorhub.notifications.types import TYPES, is_locked

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "mentorhub.notifications.unsubscribe"
ALL_OPTIONAL = "*"


def disabled_channels(user_id: int, type_name: str) -> set[str]:
    """The channels this user turned off for this type (locked channels never count)."""
    rows = db.session.execute(
        select(NotificationPreference.channel).where(
            NotificationPreference.user_id == user_id,
            NotificationPreference.type == type_name,
            NotificationPreference.enabled.is_(False),
        )
    )
    return {channel for (channel,) in rows if not is_locked(type_name, channel)}


def set_preferences(user_id: int, settings: dict[tuple[str, str], bool]) -> None:
    """Upsert preference rows in the current transaction."""
    existing = {
        (p.type, p.channel): p
        for p in db.session.scalars(
            select(NotificationPreference)
            .where(NotificationPreference.user_id == user_id)
            .with_for_update()
        )
    }
    for (type_name, channel), enabled in settings.items():
        row = existing.get((type_name, channel))
        if row is None:
            row = NotificationPreference(user_id=user_id, type=type_name, channel=channel)
            db.session.add(row)
        row.enabled = enabled


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_link(user_id: int, type_name: str) -> tuple[str, str]:
    """The one-click link for an email of this type, and what it unsubscribes from.

    A locked type cannot be turned off, so its link turns off every optional email instead.
    """
    scope = ALL_OPTIONAL if is_locked(type_name, "email") else type_name
    token = _serializer().dumps({"u": user_id, "t": scope})
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = f"{base}/api/v1/notifications/unsubscribe?{urlencode({'token': token})}"
    label = "all optional emails" if scope == ALL_OPTIONAL else "these emails"
    return url, label


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The user id and scope a token names; 400 when it is not one of ours."""
    try:
        payload = _serializer().loads(token)
        user_id, scope = int(payload["u"]), str(payload["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        logger.warning("invalid unsubscribe token presented")
        raise BadRequest("Invalid unsubscribe link.") from None
    if scope != ALL_OPTIONAL and scope not in TYPES:
        raise BadRequest("Invalid unsubscribe link.")
    return user_id, scope
