"""The six notification types: the data each needs, its email subject and its in-app text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

CHANNELS = ("email", "in_app")


@dataclass(frozen=True)
class NotificationType:
    """What a type needs and how it reads; templates live in templates/email/<name>.{html,txt}."""

    name: str
    required: tuple[str, ...]
    subject: str
    in_app: str
    # Channels a user cannot turn off: see LOCKED below for why.
    locked_channels: tuple[str, ...] = ()


TYPES: dict[str, NotificationType] = {
    t.name: t
    for t in (
        # Locked on email: it is the only notice an address owner gets that an account was opened
        # with their address, and it goes out before any preference could have been set.
        NotificationType(
            "welcome",
            ("name",),
            "Welcome to {platform}, {name}",
            "Welcome to {platform}, {name}!",
            locked_channels=("email",),
        ),
        NotificationType(
            "session_confirmed",
            ("topic", "scheduled_time"),
            "Session confirmed: {topic}",
            "Session confirmed: {topic} on {scheduled_time_human}",
        ),
        NotificationType(
            "session_reminder",
            ("topic", "scheduled_time", "meeting_link"),
            "Reminder: {topic} starts {time_until}",
            "Reminder: {topic} starts {time_until}",
        ),
        NotificationType(
            "session_cancelled",
            ("topic", "scheduled_time"),
            "Session cancelled: {topic}",
            "Session cancelled: {topic} on {scheduled_time_human}",
        ),
        NotificationType(
            "new_message",
            ("sender_name", "preview"),
            "New message from {sender_name}",
            "{sender_name}: {preview}",
        ),
        # Locked on email: payment mail is a financial record, and an unexpected one is how a
        # user notices a payment they did not make.
        NotificationType(
            "payment_received",
            ("amount", "currency"),
            "Payment received: {amount} {currency}",
            "Payment received: {amount} {currency}",
            locked_channels=("email",),
        ),
    )
}


def get_type(name: str) -> NotificationType:
    """The type called `name`; ValueError for an unknown one."""
    try:
        return TYPES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown notification type {name!r}; expected one of {', '.join(TYPES)}"
        ) from None


def check_channels(channels) -> list[str]:
    """The channels, de-duplicated in order; ValueError for an unknown or empty list."""
    if isinstance(channels, str) or not channels:
        raise ValueError(f"channels must be a non-empty list drawn from {', '.join(CHANNELS)}")
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown channel(s) {unknown!r}; expected {', '.join(CHANNELS)}")
    return list(dict.fromkeys(channels))


def is_locked(type_name: str, channel: str) -> bool:
    """Whether users may not turn this type off on this channel."""
    return channel in TYPES[type_name].locked_channels


def human_time(value: str | datetime | None) -> str:
    """'Tue 20 Feb 2024, 15:00 UTC' from an ISO 8601 string or a datetime."""
    moment = parse_time(value)
    if moment is None:
        return str(value or "")
    return moment.astimezone(UTC).strftime("%a %d %b %Y, %H:%M UTC")


def time_until(value: str | datetime | None, now: datetime | None = None) -> str:
    """A human 'in 23 hours' / 'in 59 minutes' / 'now' from a start time."""
    moment = parse_time(value)
    if moment is None:
        return "soon"
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    if seconds < 60:
        return "now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(seconds / 86400)
    return f"in {days} days"


def parse_time(value: str | datetime | None) -> datetime | None:
    """An aware datetime from an ISO 8601 string or a datetime (naive means UTC); else None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
