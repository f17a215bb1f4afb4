"""iCalendar documents for sessions, built with the icalendar library (RFC 5545 / RFC 5546)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//MentorHub//Sessions//EN"


@dataclass(frozen=True)
class Party:
    """A participant as a calendar names them."""

    name: str
    email: str


@dataclass(frozen=True)
class SessionEvent:
    """One session as a VEVENT: what a calendar needs to place, update or remove it."""

    uid: str
    sequence: int
    start: datetime
    minutes: int
    summary: str
    description: str
    stamp: datetime
    link: str | None = None
    cancelled: bool = False
    organizer: Party | None = None
    attendees: tuple[Party, ...] = ()


def session_uid(session_id: int, public_base_url: str) -> str:
    """The UID of a session's event: the same in every invite, update, cancel and feed."""
    host = urlsplit(public_base_url).hostname or "mentorhub.local"
    return f"session-{session_id}@{host}"


def build_calendar(
    events: Iterable[SessionEvent],
    method: str | None = None,
    name: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """A VCALENDAR of the events; `method` makes it an iTIP message (REQUEST, CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if refresh:
        # How often subscribed clients should poll the feed (RFC 7986, and Outlook's own).
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", refresh)
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def _vevent(item: SessionEvent) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", _utc(item.stamp))
    # Always UTC: each calendar shows the event in its own owner's zone.
    event.add("dtstart", _utc(item.start))
    event.add("dtend", _utc(item.start + timedelta(minutes=item.minutes)))
    event.add("summary", item.summary)
    event.add("description", item.description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.link:
        event.add("location", item.link)
        event.add("url", item.link)
    if item.organizer is not None:
        event.add("organizer", _address(item.organizer))
    for party in item.attendees:
        attendee = _address(party)
        attendee.params["cutype"] = "INDIVIDUAL"
        attendee.params["role"] = "REQ-PARTICIPANT"
        # Both agreed when the session was booked; the platform asks for no reply, so no
        # client sends one (to the organizer's unattended address or anyone else).
        attendee.params["partstat"] = "ACCEPTED"
        attendee.params["rsvp"] = "FALSE"
        event.add("attendee", attendee)
    return event


def _address(party: Party) -> vCalAddress:
    address = vCalAddress(f"mailto:{party.email}")
    address.params["cn"] = vText(party.name)
    return address


def _utc(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)
