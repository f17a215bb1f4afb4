"""Short texts that must fit: subjects with the key fact first, previews, times, amounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import UnknownCurrencyError, format_currency

from mentorhub.calendars import format_span, format_time

# Inboxes and phone notifications show roughly this much of a subject.
SUBJECT_LIMIT = 70
ELLIPSIS = "…"


def cut_words(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    # A single very long word is cut inside it rather than dropped altogether.
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + ELLIPSIS


def fit_subject(
    fact: str, topic: str = "", tail: str = "", limit: int = SUBJECT_LIMIT, sep: str = ": "
) -> str:
    """`fact: topic tail` within `limit` characters; the fact stays whole.

    When it must shorten, the tail (a name) goes first and the topic is cut only after that:
    the topic's words say more about a mail than a name the preheader repeats.
    """
    fact, topic, tail = (" ".join(str(part or "").split()) for part in (fact, topic, tail))
    if not topic:
        return cut_words(f"{fact} {tail}".strip(), limit)
    whole = f"{fact}{sep}{topic}" + (f" {tail}" if tail else "")
    if len(whole) <= limit:
        return whole
    return f"{fact}{sep}{cut_words(topic, max(limit - len(fact) - len(sep), 1))}"


def zone(name: object) -> ZoneInfo:
    """The named IANA zone, or UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(value: object, zone_name: object = None) -> datetime | None:
    """A stored time in the recipient's zone (UTC when we do not know it)."""
    moment = parse_time(value)
    return moment.astimezone(zone(zone_name)) if moment else None


def long_time(value: object, zone_name: object = None) -> str:
    """'Wed 20 Feb 2030, 16:00 CET (UTC+01:00)': unambiguous, for the body of a mail."""
    moment = local(value, zone_name)
    if moment is None:
        return str(value or "")
    # Abbreviations alone repeat across zones (IST, CST), so the offset is written too.
    return format_time(moment, str(zone_name) if zone_name else None)


def span(value: object, minutes: object, zone_name: object = None) -> str:
    """'Wed 20 Feb 2030, 07:00–07:45 PST (UTC−08:00)': when a session runs, for the body."""
    if parse_time(value) is None:
        return str(value or "")
    return format_span(parse_time(value), minutes, str(zone_name) if zone_name else None)


def short_time(value: object, zone_name: object = None) -> str:
    """'Wed 20 Feb, 15:00 UTC': for subjects, where the year only takes room."""
    moment = local(value, zone_name)
    return moment.strftime("%a %d %b, %H:%M %Z") if moment else ""


def day_and_time(value: object, zone_name: object, now: datetime) -> str:
    """'Today 15:00 UTC', 'Tomorrow 15:00 UTC', or the short date, for reminders."""
    moment = local(value, zone_name)
    if moment is None:
        return ""
    days = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    if days == 0:
        return moment.strftime("Today %H:%M %Z")
    if days == 1:
        return moment.strftime("Tomorrow %H:%M %Z")
    return short_time(value, zone_name)


def soon(value: object, now: datetime) -> bool:
    """Whether a start time is close enough that 'in 55 minutes' says more than the clock."""
    moment = parse_time(value)
    return moment is not None and moment - now <= timedelta(hours=3)


def money(amount: object, currency: object, locale: str) -> str:
    """'€49.50': the amount in its currency's symbol and decimals, for the locale."""
    try:
        return format_currency(Decimal(str(amount)), str(currency), locale=locale)
    except (InvalidOperation, UnknownCurrencyError, ValueError):
        return f"{amount} {currency}"


def parse_time(value: object) -> datetime | None:
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


def time_until(value: object, now: datetime | None = None) -> str:
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
    return f"in {round(seconds / 86400)} days"
