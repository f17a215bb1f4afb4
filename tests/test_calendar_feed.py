"""The private calendar feed: owner-only, rotatable, revalidated by its ETag, rate-limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from icalendar import Calendar
from sqlalchemy import update

from mentorhub.calendars import session_uid
from mentorhub.models import MentorSession
from tests.support.booking import SESSIONS, booked

FEED = "/api/v1/calendar/feed"
ROTATE = "/api/v1/calendar/feed/rotate"


def _book(client, headers, mentor, days: float, topic: str = "Go", minutes: int = 60) -> dict:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    link = f"https://meet.example.com/{topic.split()[0].lower()}-{start:%d%H%M}"
    return booked(
        client, headers, mentor, start, topic=topic, duration_minutes=minutes, meeting_link=link
    )


def _move(client, headers, session: dict, by: timedelta) -> datetime:
    """Reschedule `session` later by `by`; its new start."""
    start = datetime.fromisoformat(session["scheduled_time"]) + by
    moved = client.post(
        f"{SESSIONS}/{session['id']}/reschedule",
        json={"scheduled_time": start.isoformat()},
        headers=headers,
    )
    assert moved.status_code == 200, moved.get_json()
    return start


def _feed_path(client, headers) -> str:
    response = client.get(FEED, headers=headers)
    assert response.status_code == 200, response.get_json()
    return urlsplit(response.get_json()["url"]).path


def _events(response) -> dict[str, object]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_feed_url_is_per_user_stable_and_needs_a_login(client, make_user, auth_headers):
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    response = client.get(FEED, headers=auth_headers(ann))
    assert response.headers["Cache-Control"] == "no-store"
    first = response.get_json()
    assert client.get(FEED, headers=auth_headers(ann)).get_json() == first
    assert first["url"].endswith(".ics") and first["webcal_url"].startswith("webcal://")
    token = urlsplit(first["url"]).path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40  # 256 random bits
    assert client.get(FEED, headers=auth_headers(bob)).get_json()["url"] != first["url"]
    assert client.get(FEED).status_code == 401
    assert client.post(ROTATE).status_code == 401


def test_feed_holds_the_owners_upcoming_sessions_only(app, client, make_user, auth_headers):
    student = make_user("student@example.com", name="Sam Student")
    mentor = make_user("mentor@example.com", is_mentor=True, name="Mia Mentor")
    outsider = make_user("outsider@example.com", name="Olga Outsider")
    other_mentor = make_user("other@example.com", is_mentor=True, name="Otto Other")
    mine = _book(client, auth_headers(student), mentor, 2, topic="Rust traits", minutes=45)
    cancelled = _book(client, auth_headers(student), mentor, 3, topic="Dropped")
    client.post(f"{SESSIONS}/{cancelled['id']}/cancel", headers=auth_headers(student))
    theirs = _book(client, auth_headers(outsider), other_mentor, 2, topic="Secret plans")

    response = client.get(_feed_path(client, auth_headers(student)))
    events = _events(response)
    uid = session_uid(mine["id"], app.config["PUBLIC_BASE_URL"])
    assert list(events) == [uid]
    event = events[uid]
    assert event["dtstart"].dt == datetime.fromisoformat(mine["scheduled_time"])
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=45)
    assert "Rust traits" in str(event["summary"])
    assert mine["meeting_link"] in str(event["description"])
    # Nothing of other people's sessions, and no addresses at all (the URL may be shared).
    body = response.data.decode()
    for leaked in ("Secret plans", "Olga", "Otto", theirs["meeting_link"], "mailto:", "@example"):
        assert leaked not in body
    # The mentor's feed has the same event under the same UID.
    assert list(_events(client.get(_feed_path(client, auth_headers(mentor))))) == [uid]


def test_rotated_and_unknown_tokens_are_404(client, student, mentor, auth_headers):
    headers = auth_headers(student)
    _book(client, headers, mentor, 2)
    old = _feed_path(client, headers)
    assert client.get(old).status_code == 200
    rotated = client.post(ROTATE, headers=headers)
    assert rotated.status_code == 200
    new = urlsplit(rotated.get_json()["url"]).path
    assert new != old and _feed_path(client, headers) == new
    gone = client.get(old)
    assert gone.status_code == 404
    assert gone.get_json() == {"status_code": 404, "message": "Calendar feed not found."}
    assert client.get(new).status_code == 200
    for path in ("/api/v1/calendar/not-a-token.ics", "/api/v1/calendar/" + "a" * 500 + ".ics"):
        assert client.get(path).status_code == 404


def test_feed_is_revalidated_by_its_etag(client, student, mentor, auth_headers):
    headers = auth_headers(student)
    session = _book(client, headers, mentor, 2)
    path = _feed_path(client, headers)
    first = client.get(path)
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    assert "Last-Modified" not in first.headers  # whole seconds cannot tell changes apart
    assert client.get(path).data == first.data  # the same state gives the same bytes

    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    modified = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 200

    new_start = _move(client, headers, session, timedelta(days=1))
    # The ETag decides when both are sent, whatever the date says.
    both = {"If-None-Match": etag, "If-Modified-Since": modified}
    changed = client.get(path, headers=both)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    [event] = _events(changed).values()
    assert event["dtstart"].dt == new_start and event["sequence"] == 1


def test_if_modified_since_never_gets_a_304_for_a_change_in_that_second(
    db, client, student, mentor, auth_headers
):
    headers = auth_headers(student)
    session = _book(client, headers, mentor, 2, topic="First")
    path = _feed_path(client, headers)
    first = client.get(path)
    seen = first.headers.get("Last-Modified") or format_datetime(datetime.now(UTC), usegmt=True)
    moved_to = _move(client, headers, session, timedelta(hours=3))
    # The second change lands in the second the client last saw (HTTP dates have no finer
    # resolution): as when two changes come within one second.
    db.session.execute(
        update(MentorSession)
        .where(MentorSession.id == session["id"])
        .values(updated_at=parsedate_to_datetime(seen))
    )
    db.session.commit()
    again = client.get(path, headers={"If-Modified-Since": seen})
    assert again.status_code == 200
    [event] = _events(again).values()
    assert event["dtstart"].dt == moved_to


def test_feed_is_rate_limited_like_every_route(app, make_app, student, mentor, auth_headers):
    limited = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="3", RATE_LIMIT_WINDOW="60")
    client = limited.test_client()
    with limited.app_context():
        path = _feed_path(client, auth_headers(student))
    answers = [client.get(path).status_code for _ in range(5)]
    assert answers[0] == 200 and answers[-1] == 429
    # Guessing tokens is limited the same way.
    assert client.get("/api/v1/calendar/guess.ics").status_code == 429
