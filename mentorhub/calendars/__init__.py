"""Calendars and time zones: users' zones, times written in them, invites and private feeds."""

from mentorhub.calendars.feed import Feed, build_feed, feed_urls, owner_of, rotate_token
from mentorhub.calendars.ical import Party, SessionEvent, build_calendar, session_uid
from mentorhub.calendars.invites import invite_for
from mentorhub.calendars.profile import set_timezone
from mentorhub.calendars.zones import (
    DEFAULT_ZONE,
    InvalidTimeZone,
    canonical_zone,
    format_end,
    format_time,
    zone_info,
)

__all__ = [
    "DEFAULT_ZONE",
    "Feed",
    "InvalidTimeZone",
    "Party",
    "SessionEvent",
    "build_calendar",
    "build_feed",
    "canonical_zone",
    "feed_urls",
    "format_end",
    "format_time",
    "invite_for",
    "owner_of",
    "rotate_token",
    "session_uid",
    "set_timezone",
    "zone_info",
]
