"""Calendars and time zones: times written in a zone, iCalendar events, invites by email."""

from mentorhub.calendars.ical import Party, SessionEvent, build_calendar, session_uid
from mentorhub.calendars.invites import (
    FILENAMES,
    Participants,
    event_description,
    event_summary,
    invite_for,
)
from mentorhub.calendars.meeting_links import (
    meeting_link_problem,
    room_link,
    shown_meeting_link,
)
from mentorhub.calendars.zones import (
    DEFAULT_ZONE,
    InvalidTimeZone,
    canonical_zone,
    format_end,
    format_span,
    format_time,
    zone_info,
)

__all__ = [
    "FILENAMES",
    "Participants",
    "DEFAULT_ZONE",
    "InvalidTimeZone",
    "Party",
    "SessionEvent",
    "build_calendar",
    "canonical_zone",
    "event_description",
    "event_summary",
    "format_end",
    "format_span",
    "format_time",
    "invite_for",
    "meeting_link_problem",
    "room_link",
    "session_uid",
    "shown_meeting_link",
    "zone_info",
]
