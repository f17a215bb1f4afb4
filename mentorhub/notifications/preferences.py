"""Per-user notification preferences and the signed one-click unsubscribe links."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from mentorhub.errors import BadRequest, Unprocessable
from mentorhub.extensions import db
from mentorhub.models import NotificationPreference, User
from mentorhub.notifications.types import CHANNELS, TYPES, is_locked

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


def list_preferences(user: User) -> list[dict]:
    """Every type and channel with its setting for this user, and whether it can change."""
    stored = {
        (p.type, p.channel): p.enabled
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return [
        {
            "type": type_name,
            "channel": channel,
            "enabled": is_locked(type_name, channel) or stored.get((type_name, channel), True),
            "locked": is_locked(type_name, channel),
        }
        for type_name in TYPES
        for channel in CHANNELS
    ]


def update_preferences(user: User, changes: list[dict]) -> list[dict]:
    """Apply `[{type, channel, enabled}]`; 422 when turning off a locked one."""
    errors = [
        f"{c['type']} on {c['channel']} cannot be turned off"
        for c in changes
        if not c["enabled"] and is_locked(c["type"], c["channel"])
    ]
    if errors:
        raise Unprocessable(errors={"preferences": errors})
    set_preferences(user.id, {(c["type"], c["channel"]): c["enabled"] for c in changes})
    db.session.commit()
    return list_preferences(user)


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


def unsubscribe(token: str) -> dict:
    """Turn off the email types a token names; idempotent."""
    user_id, scope = read_unsubscribe_token(token)
    if db.session.get(User, user_id) is None:
        raise BadRequest("Invalid unsubscribe link.")
    types = [t for t in TYPES if not is_locked(t, "email")] if scope == ALL_OPTIONAL else [scope]
    set_preferences(user_id, {(t, "email"): False for t in types})
    db.session.commit()
    logger.info("user %s unsubscribed from %s emails", user_id, scope)
    return {"unsubscribed": types, "channel": "email"}
