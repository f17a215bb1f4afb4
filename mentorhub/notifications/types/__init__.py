"""The notification types: one module per type in this package declares everything about it.

Every module here whose name does not start with `_` holds one type as `TYPE`, a
`NotificationType` (see `_declaration`); the registry below reads them all, so adding a type is
adding its module and its two templates (`templates/email/<name>.html`, `.txt`).
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime

from mentorhub.mail.wording import long_time, parse_time, time_until
from mentorhub.notifications.types._declaration import CHANNELS, NotificationType

__all__ = ["CHANNELS", "NotificationType", "TYPES", "account_mail_types", "check_channels"]
__all__ += ["get_type", "in_app_text", "is_locked", "sample_cases"]
__all__ += ["parse_time"]  # the notification pipeline reads stored times with it


def _declared() -> dict[str, NotificationType]:
    found: dict[str, NotificationType] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        declared = importlib.import_module(f"{__name__}.{module.name}").TYPE
        if declared.name != module.name:
            raise RuntimeError(f"{module.name}.py declares {declared.name!r}: name them alike")
        found[declared.name] = declared
    return found


TYPES: dict[str, NotificationType] = _declared()


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


def account_mail_types() -> tuple[str, ...]:
    """The names of the account-mail types (delivered first, each on its own)."""
    return tuple(name for name, spec in TYPES.items() if spec.account_mail)


def in_app_text(type_name: str, data: dict, platform: str) -> str:
    """The short in-app text of a type, filled from its data; never contains a line break."""
    context = _Defaulting(data)
    context["platform"] = platform
    context["scheduled_time_human"] = long_time(data.get("scheduled_time"), data.get("time_zone"))
    if data.get("scheduled_time") and not data.get("time_until"):
        context["time_until"] = time_until(data["scheduled_time"])
    context.setdefault("time_until", "soon")
    text = get_type(type_name).in_app
    filled = text(context) if callable(text) else text.format_map(context)
    return " ".join(filled.split())


def sample_cases(now: datetime) -> list[tuple[str, str, str, dict]]:
    """(case, type, role, data) for every sample of every type, e.g. `session_reminder-mentor`."""
    cases = []
    for name, spec in TYPES.items():
        for case, data in spec.samples(now).items():
            role = data.get("role") or spec.default_role
            cases.append((f"{name}-{case}", name, role, {**data, "role": role}))
    return cases


class _Defaulting(dict):
    # A missing optional field renders as empty rather than failing the whole listing.
    def __missing__(self, key: str) -> str:
        return ""
