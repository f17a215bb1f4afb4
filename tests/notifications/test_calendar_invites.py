"""Session emails in each recipient's own zone, with calendar invites, through a real worker.

Every test books through the HTTP API, runs `flask worker --burst` (the real RQ worker)
and reads what a real SMTP server (aiosmtpd) received.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from mentorhub.calendars import session_uid
from mentorhub.models import Notification
from mentorhub.services.email import email_service
from tests.support.booking import SESSIONS, booked, in_days
from tests.support.waiting import wait_until

ME = "/api/v1/auth/me"
PREFS = "/api/v1/notifications/preferences"


@pytest.fixture
def pair(client, make_user, auth_headers):
    """A student in Tokyo and a mentor in Berlin, zones set through PATCH /auth/me."""
    student = make_user("kenji@example.com", name="Kenji")
    mentor = make_user("greta@example.com", is_mentor=True, name="Greta")
    for user, zone in ((student, "Asia/Tokyo"), (mentor, "Europe/Berlin")):
        response = client.patch(ME, json={"timezone": zone}, headers=auth_headers(user))
        assert response.status_code == 200, response.get_json()
    return student, mentor


def _book(client, headers, mentor, start: datetime, minutes: int = 45) -> dict:
    link = f"https://meet.example.com/rust-{start:%d%H%M}"
    return booked(
        client, headers, mentor, start, topic="Rust traits", duration_minutes=minutes,
        meeting_link=link,
    )  # fmt: skip


def _in_days(days: int, hour: int = 15) -> datetime:
    return in_days(days, hour)


def _bodies(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return text + message.get_body(preferencelist=("html",)).get_content()


def _invite(message) -> tuple[str, Calendar]:
    """The METHOD of the text/calendar alternative, and the calendar, checked against the .ics."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, *attachments = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    part = list(alternative.iter_parts())[2]
    [ics] = [a for a in attachments if a.get_filename(failobj="").endswith(".ics")]
    data = part.get_content().encode()
    assert Calendar.from_ical(ics.get_content()).to_ical() == Calendar.from_ical(data).to_ical()
    return part.get_param("method"), Calendar.from_ical(data)


def _local(moment: datetime, zone: str) -> str:
    """How a mail starts writing `moment` in `zone`: the date and the start of a range."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y}, {local:%H:%M}"


def test_each_party_reads_their_own_time_and_gets_an_invite(
    app, client, auth_headers, pair, smtp, burst
):
    student, mentor = pair
    start = _in_days(20)
    session = _book(client, auth_headers(student), mentor, start)
    burst()
    smtp.wait_for(2)
    [tokyo] = smtp.to(student.email)
    [berlin] = smtp.to(mentor.email)
    assert _local(start, "Asia/Tokyo") in _bodies(tokyo)
    assert _local(start, "Europe/Berlin") in _bodies(berlin)
    assert _local(start, "Europe/Berlin") not in _bodies(tokyo)
    assert _local(start, "Asia/Tokyo") not in _bodies(berlin)

    uid = session_uid(session["id"], app.config["PUBLIC_BASE_URL"])
    for message in (tokyo, berlin):
        method, calendar = _invite(message)
        assert method == "REQUEST" and calendar["method"] == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["uid"]) == uid and event["sequence"] == 0
        assert event["dtstart"].dt == start
        # Written in UTC ("Z"), not in either party's zone.
        assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in calendar.to_ical().decode()
        assert event["dtend"].dt == start + timedelta(minutes=45)
        # The platform organizes; both people attend, and no reply is asked of either.
        assert str(event["organizer"]) == "mailto:noreply@mentorhub.com"
        assert event["organizer"].params["CN"] == "MentorHub"
        attendees = event.get("attendee")
        assert sorted(str(a) for a in attendees) == [
            f"mailto:{mentor.email}",
            f"mailto:{student.email}",
        ]
        assert {a.params["RSVP"] for a in attendees} == {"FALSE"}
        assert session["meeting_link"] in (str(event["location"]), str(event["url"]))

    # In-app text, too, is in each reader's own zone.
    inbox = client.get("/api/v1/notifications", headers=auth_headers(student)).get_json()
    [confirmed] = [n for n in inbox["items"] if n["type"] == "session_confirmed"]
    local = start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M} JST" in confirmed["text"]


def test_reschedule_updates_and_cancel_removes_the_same_event(
    app, client, auth_headers, pair, smtp, burst
):
    student, mentor = pair
    session = _book(client, auth_headers(student), mentor, _in_days(20))
    new_start = _in_days(21, hour=9)
    moved = client.post(
        f"{SESSIONS}/{session['id']}/reschedule",
        json={"scheduled_time": new_start.isoformat()},
        headers=auth_headers(mentor),
    )
    assert moved.status_code == 200
    cancelled = client.post(f"{SESSIONS}/{session['id']}/cancel", headers=auth_headers(student))
    assert cancelled.status_code == 200
    burst()
    smtp.wait_for(6)

    uid = session_uid(session["id"], app.config["PUBLIC_BASE_URL"])
    for user in (student, mentor):
        # Both parties get every change, each in their own copy. Mail may arrive in any order;
        # calendars go by SEQUENCE, and so does this test.
        received = [(_invite(m), m) for m in smtp.to(user.email)]
        received.sort(key=lambda item: item[0][1].walk("VEVENT")[0]["sequence"])
        methods = [method for (method, _), _ in received]
        events = [calendar.walk("VEVENT")[0] for (_, calendar), _ in received]
        assert methods == ["REQUEST", "REQUEST", "CANCEL"]
        assert [calendar["method"] for (_, calendar), _ in received][2] == "CANCEL"
        assert {str(e["uid"]) for e in events} == {uid}
        assert [e["sequence"] for e in events] == [0, 1, 2]
        assert events[1]["dtstart"].dt == new_start
        assert events[2]["status"] == "CANCELLED"
        zone = "Asia/Tokyo" if user is student else "Europe/Berlin"
        assert _local(new_start, zone) in _bodies(received[1][1])


def _next_dst_change(zone: str, after: datetime) -> datetime:
    """The first instant after `after` at which the zone's UTC offset changes (hour precision)."""
    tz = ZoneInfo(zone)
    moment = after.replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(tz).utcoffset()
    while moment.astimezone(tz).utcoffset() == offset:
        moment += timedelta(hours=1)
    return moment


def test_session_across_a_dst_change_shows_the_right_local_times(
    app, client, auth_headers, pair, smtp, burst
):
    student, mentor = pair
    berlin = ZoneInfo("Europe/Berlin")
    change = _next_dst_change("Europe/Berlin", datetime.now(UTC) + timedelta(days=2))
    # Starts an hour before Berlin's clocks change and ends an hour after: two hours long,
    # though Berlin's wall clock moves by one or three.
    across = change - timedelta(hours=1)
    assert across.astimezone(berlin).utcoffset() != change.astimezone(berlin).utcoffset()
    _book(client, auth_headers(student), mentor, across, minutes=120)
    # Booked now, for a day on the other side of the change: that day's offset is used.
    later = change + timedelta(days=1)
    _book(client, auth_headers(student), mentor, later)
    burst()
    smtp.wait_for(4)
    by_start = {}
    for message in smtp.to(mentor.email):
        [event] = _invite(message)[1].walk("VEVENT")
        by_start[event["dtstart"].dt] = (event, message)
    event, message = by_start[across]
    # Start and end each in their own offset (CET then CEST, or the other way round).
    end = (across + timedelta(hours=2)).astimezone(berlin)
    start = across.astimezone(berlin)
    assert f"{_local(across, 'Europe/Berlin')} {start.tzname()} (UTC" in _bodies(message)
    assert f" \u2013 {end:%H:%M} {end.tzname()} (UTC" in _bodies(message)
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(hours=2)
    event, message = by_start[later]
    assert _local(later, "Europe/Berlin") in _bodies(message)
    assert later.astimezone(berlin).utcoffset() != across.astimezone(berlin).utcoffset()


def test_session_confirmed_email_turned_off_means_no_invite(
    client, auth_headers, pair, smtp, burst, db
):
    student, mentor = pair
    off = {"preferences": [{"type": "session_confirmed", "channel": "email", "enabled": False}]}
    assert client.put(PREFS, json=off, headers=auth_headers(student)).status_code == 200
    _book(client, auth_headers(student), mentor, _in_days(5))
    burst()
    smtp.wait_for(1)  # the mentor's confirmation: the worker has run the batch
    rows = db.session.scalars(
        select(Notification).where(
            Notification.user_id == student.id,
            Notification.type == "session_confirmed",
            Notification.channel == "email",
        )
    ).all()
    assert [r.status for r in rows] == ["skipped"]
    assert smtp.to(student.email) == []
    assert [m["To"] for m in smtp.messages] == [mentor.email]


def test_reminders_read_in_each_recipients_zone(client, auth_headers, pair, smtp, burst):
    student, mentor = pair
    start = datetime.now(UTC) + timedelta(hours=1, seconds=2)
    _book(client, auth_headers(student), mentor, start)
    # The one-hour reminder is due two seconds after booking; the burst's scheduler sends it.
    due = start - timedelta(hours=1)
    wait_until(lambda: datetime.now(UTC) >= due, timeout=30, what="the reminder to fall due")
    burst()
    smtp.wait_for(4)  # two confirmations, two reminders
    for user, zone in ((student, "Asia/Tokyo"), (mentor, "Europe/Berlin")):
        [reminder] = [m for m in smtp.to(user.email) if m.get_content_type() != "multipart/mixed"]
        local = start.astimezone(ZoneInfo(zone))
        assert f"{local:%H:%M}\u2013" in _bodies(reminder) and local.tzname() in _bodies(reminder)


def test_seed_email_calls_without_a_zone_still_work(app, smtp):
    when = datetime(2030, 2, 20, 15, 0, tzinfo=UTC)
    assert email_service.send_session_confirmation("ada@example.com", "React Hooks", when)
    assert email_service.send_session_reminder(
        "ada@example.com", "React Hooks", "https://m.example/r1", "in 1 hour"
    )
    assert email_service.send_session_confirmation("ada@example.com", "Go", when, "Asia/Tokyo")
    confirmation, reminder, in_tokyo = smtp.wait_for(3)
    assert "Wed 20 Feb 2030, 15:00 UTC" in _bodies(confirmation)
    assert "Thu 21 Feb 2030, 00:00 JST (UTC+09:00)" in _bodies(in_tokyo)
    assert "in 1 hour" in _bodies(reminder) and "https://m.example/r1" in _bodies(reminder)
    # No session behind these calls, so no calendar part.
    assert confirmation.get_content_type() == "multipart/alternative"
