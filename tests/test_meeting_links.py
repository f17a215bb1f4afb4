"""A session's call link cannot spoof: https to a public host, written in plain ASCII.

The link is shown in emails, calendar invites and the feed under the platform's name, so it is
refused when it could mislead (a Cyrillic look-alike, text before an @, bidi or zero-width
characters) or point inside someone's network (loopback, private or link-local addresses, a
local name, an address instead of a name). Internationalised hosts are refused in Unicode and
accepted in their xn-- form, which is how they are shown everywhere. A link stored before this
rule that breaks it is shown nowhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import update

from mentorhub.calendars.meeting_links import ASCII, HOST, HTTPS, PORT, USERINFO
from mentorhub.models import MentorSession
from tests.support.booking import SESSIONS, booked

REFUSED = {
    "http://meet.example.com/room": HTTPS,
    "javascript:alert(1)": HTTPS,
    "https://p\u0430ypal.com/login": ASCII,
    "https://meet.example.com/\u202egpj.exe": ASCII,
    "https://meet.exa\u200bmple.com/room": ASCII,
    "https://meet.example.com/a b": ASCII,
    "https://paypal.com@evil.example/": USERINFO,
    "https://user:secret@meet.example.com/": USERINFO,
    "https://meet.example.com\\@evil.example/": ASCII,
    "https://127.0.0.1/admin": HOST,
    "https://[::1]/": HOST,
    "https://10.0.0.5/": HOST,
    "https://192.168.1.1/router": HOST,
    "https://169.254.169.254/latest/meta-data": HOST,
    "https://2130706433/": HOST,
    "https://0x7f.1/": HOST,
    "https://localhost/room": HOST,
    "https://meet.localhost/room": HOST,
    "https://printer.local/": HOST,
    "https://intranet/": HOST,
    "https://meet.example.com:99999/room": PORT,
    "https://meet.example.com:0/room": PORT,
}
ALLOWED = [
    "https://meet.example.com/room-1",
    "https://meet.example.com:8443/r?pwd=abc#start",
    "https://xn--pypal-4ve.com/room",
    "https://zoom.us/j/123456?pwd=Abc",
]


@pytest.fixture
def session(client, make_user, auth_headers):
    """A booked session and its mentor's headers."""
    mentor = make_user("mentor@example.com", is_mentor=True)
    student = make_user("student@example.com")
    booked_session = booked(client, auth_headers(student), mentor)
    return booked_session, auth_headers(mentor), auth_headers(student)


def set_link(client, session, link):
    booked_session, mentor_headers, _ = session
    path = f"{SESSIONS}/{booked_session['id']}"
    return client.patch(path, json={"meeting_link": link}, headers=mentor_headers)


@pytest.mark.parametrize("link", list(REFUSED), ids=range(len(REFUSED)))
def test_a_link_that_could_mislead_is_refused(client, session, link):
    response = set_link(client, session, link)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"] == {"meeting_link": [REFUSED[link]]}


@pytest.mark.parametrize("link", ALLOWED)
def test_public_https_links_are_kept_as_written(client, session, link):
    response = set_link(client, session, link)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["meeting_link"] == link


def test_booking_applies_the_same_rule(client, make_user, auth_headers):
    mentor = make_user("m2@example.com", is_mentor=True)
    student = make_user("s2@example.com")
    response = client.post(
        SESSIONS,
        json={"mentor_id": mentor.id, "topic": "Go", "scheduled_time": "2030-01-01T10:00:00Z",
              "meeting_link": "https://paypal.com@evil.example/"},
        headers=auth_headers(student),
    )  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"meeting_link": [USERINFO]}


def test_a_stored_link_that_breaks_the_rule_is_shown_in_no_feed(app, db, client, session):
    booked_session, _, student_headers = session
    spoof = "https://p\u0430ypal.com@10.0.0.5/\u202egpj.exe"
    db.session.execute(
        update(MentorSession)
        .where(MentorSession.id == booked_session["id"])
        .values(meeting_link=spoof)
    )
    db.session.commit()
    feed_url = client.get("/api/v1/calendar/feed", headers=student_headers).get_json()["url"]
    response = client.get(urlsplit(feed_url).path)
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert "url" not in event and "location" not in event
    assert "10.0.0.5" not in response.data.decode()
