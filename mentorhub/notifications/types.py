"""The six notification types: the data each needs, who may turn them off, their in-app text."""

from __future__ import annotations

from dataclasses import dataclass

from mentorhub.mail.wording import long_time, parse_time, time_until

__all__ = ["CHANNELS", "TYPES", "get_type", "check_channels", "is_locked", "in_app_text"]
__all__ += ["parse_time"]  # the notification pipeline reads stored times with it

CHANNELS = ("email", "in_app")


@dataclass(frozen=True)
class NotificationType:
    """What a type needs and its in-app text; its email is mentorhub.mail's (templates/email/)."""

    name: str
    required: tuple[str, ...]
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
            "Welcome to {platform}, {name}!",
            locked_channels=("email",),
        ),
        NotificationType(
            "session_confirmed",
            ("topic", "scheduled_time"),
            "Session confirmed: {topic} on {scheduled_time_human}",
        ),
        NotificationType(
            "session_reminder",
            ("topic", "scheduled_time"),
            "Reminder: {topic} starts {time_until}",
        ),
        NotificationType(
            "session_cancelled",
            ("topic", "scheduled_time"),
            "Session cancelled: {topic} on {scheduled_time_human}",
        ),
        NotificationType(
            "new_message",
            ("sender_name", "preview"),
            "{sender_name}: {preview}",
        ),
        # Locked on email: payment mail is a financial record, and an unexpected one is how a
        # user notices a payment they did not make.
        NotificationType(
            "payment_received",
            ("amount", "currency"),
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


def in_app_text(type_name: str, data: dict, platform: str) -> str:
    """The short in-app text of a type, filled from its data; never contains a line break."""
    context = _Defaulting(data)
    context["platform"] = platform
    context["scheduled_time_human"] = long_time(data.get("scheduled_time"), data.get("time_zone"))
    if data.get("scheduled_time") and not data.get("time_until"):
        context["time_until"] = time_until(data["scheduled_time"])
    context.setdefault("time_until", "soon")
    return " ".join(get_type(type_name).in_app.format_map(context).split())


class _Defaulting(dict):
    # A missing optional field renders as empty rather than failing the whole listing.
    def __missing__(self, key: str) -> str:
        return ""
