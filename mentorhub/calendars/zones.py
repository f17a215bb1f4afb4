"""IANA time zones: checking a user's zone, and writing instants as people read them there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_ZONE = "UTC"
MAX_ZONE_LENGTH = 64
_DAY = "%a %d %b %Y"


class InvalidTimeZone(ValueError):
    """A name that is not an IANA time zone."""


@cache
def _known_zones() -> dict[str, str]:
    # The set scans the tz database on disk or in tzdata; read it once per process. Keyed in
    # lower case so "europe/berlin" is accepted and stored as the database spells it.
    return {name.lower(): name for name in available_timezones()}


def canonical_zone(name: object) -> str:
    """The IANA zone as the database spells it; InvalidTimeZone for anything else."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_ZONE_LENGTH:
        raise InvalidTimeZone("Time zone must be an IANA name such as 'Europe/Berlin'.")
    found = _known_zones().get(name.strip().lower())
    if found is None:
        raise InvalidTimeZone(
            f"Unknown time zone {name.strip()!r}: use an IANA name such as 'Europe/Berlin'."
        )
    return found


def zone_info(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC when it is missing or unknown (data written before zones)."""
    try:
        return ZoneInfo(canonical_zone(name)) if name else ZoneInfo(DEFAULT_ZONE)
    except InvalidTimeZone:
        return ZoneInfo(DEFAULT_ZONE)


def parse_instant(value: str | datetime | None) -> datetime | None:
    """An aware datetime from an ISO 8601 string or a datetime (naive means UTC); else None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def zone_label(local: datetime) -> str:
    """'CET (UTC+01:00)', 'UTC+04:00' for zones without a letter abbreviation, or 'UTC'."""
    abbreviation = local.tzname() or ""
    offset = local.utcoffset() or timedelta(0)
    if abbreviation == "UTC" and not offset:
        return "UTC"
    # U+2212, the minus sign: a hyphen reads as a dash beside the en dash of a time range.
    sign = "\u2212" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    numeric = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    # Some zones have only a numeric abbreviation ("+04"), which the offset already says.
    if not abbreviation or abbreviation[0] in "+-":
        return numeric
    return f"{abbreviation} ({numeric})"


def format_time(value: str | datetime | None, zone: str | None = None) -> str:
    """'Wed 20 Feb 2030, 16:00 CET (UTC+01:00)': the instant in the zone (UTC by default)."""
    moment = parse_instant(value)
    if moment is None:
        return str(value or "")
    local = moment.astimezone(zone_info(zone))
    return f"{local.strftime(_DAY)}, {local.strftime('%H:%M')} {zone_label(local)}"


def format_span(start: str | datetime | None, minutes: object, zone: str | None = None) -> str:
    """'Wed 20 Feb 2030, 07:00–07:45 PST (UTC−08:00)': a session from start to end, in the zone.

    The end gets its own date when it falls on another day, and its own offset when a
    daylight-saving change falls inside the session. Without a length, only the start.
    """
    moment = parse_instant(start)
    if moment is None:
        return str(start or "")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        return format_time(moment, zone)
    tz = zone_info(zone)
    begin, end = moment.astimezone(tz), (moment + timedelta(minutes=minutes)).astimezone(tz)
    day = begin.strftime(_DAY)
    if begin.date() != end.date():
        return f"{day}, {begin:%H:%M} {zone_label(begin)} – {format_time(end, zone)}"
    if zone_label(begin) != zone_label(end):
        return f"{day}, {begin:%H:%M} {zone_label(begin)} – {end:%H:%M} {zone_label(end)}"
    return f"{day}, {begin:%H:%M}–{end:%H:%M} {zone_label(begin)}"


def format_end(start: str | datetime | None, minutes: object, zone: str | None = None) -> str:
    """When a session starting at `start` ends, as format_time writes it; '' if unknown."""
    moment = parse_instant(start)
    if moment is None or not isinstance(minutes, int) or minutes <= 0:
        return ""
    return format_time(moment + timedelta(minutes=minutes), zone)
