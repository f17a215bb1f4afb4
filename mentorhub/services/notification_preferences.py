"""Notification preferences as users see them, and the one-click unsubscribe link's effect."""

from __future__ import annotations

import logging

from sqlalchemy import select

from mentorhub.errors import BadRequest, Unprocessable
from mentorhub.extensions import db
from mentorhub.models import NotificationPreference, User
from mentorhub.notifications.preferences import (
    ALL_OPTIONAL,
    read_unsubscribe_token,
    set_preferences,
)
from mentorhub.notifications.types import CHANNELS, TYPES, is_locked

logger = logging.getLogger(__name__)


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


def unsubscribe_scope(token: str) -> list[str]:
    """The types a link's token unsubscribes from (one, or every optional one); 400 if not ours."""
    return _scope_types(read_unsubscribe_token(token)[1])


def type_words(type_names: list[str]) -> dict[str, list[str]]:
    """How the unsubscribe page names these types, what else stops with them, what still comes."""
    chosen = [TYPES[name] for name in type_names]
    return {
        "labels": [spec.label for spec in chosen],
        "also_stops": [spec.also_stops for spec in chosen if spec.also_stops],
        "still_sent": [spec.label for spec in TYPES.values() if is_locked(spec.name, "email")],
    }


def _scope_types(scope: str) -> list[str]:
    if scope == ALL_OPTIONAL:
        return [name for name in TYPES if not is_locked(name, "email")]
    return [scope]


def unsubscribe(token: str) -> dict:
    """Turn off the email types a token names; idempotent."""
    user_id, scope = read_unsubscribe_token(token)
    if db.session.get(User, user_id) is None:
        raise BadRequest("Invalid unsubscribe link.")
    types = _scope_types(scope)
    set_preferences(user_id, {(t, "email"): False for t in types})
    db.session.commit()
    logger.info("user %s unsubscribed from %s emails", user_id, scope)
    return {"unsubscribed": types, "channel": "email"}
