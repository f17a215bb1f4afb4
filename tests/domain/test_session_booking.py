"""POST /sessions: booking a mentor, every refusal, and the race-safe overlap check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mentorhub.models import MentorSession
from mentorhub.notifications import events
from tests.support.booking import SESSIONS, in_hours, iso
from tests.support.concurrency import concurrently


def test_a_student_books_a_mentor(book, student, mentor, app):
    start = in_hours(30)
    response = book(student, mentor, start, topic="  React Hooks  ", duration_minutes=45)
    assert response.status_code == 201
    body = response.get_json()
    assert body["mentor_id"] == mentor.id and body["student_id"] == student.id
    assert body["mentor"] == {"id": mentor.id, "name": mentor.name}
    assert body["topic"] == "React Hooks"
    assert body["status"] == "scheduled"
    assert body["duration_minutes"] == 45
    assert datetime.fromisoformat(body["scheduled_time"]) == start
    assert datetime.fromisoformat(body["end_time"]) == start + timedelta(minutes=45)
    assert body["meeting_link"] is None  # no video provider configured: the mentor sets one


def test_each_booking_gets_its_own_meeting_link(app, book, student, mentor):
    app.config["MEETING_LINK_TEMPLATE"] = "https://meet.example.com/{token}"
    first = book(student, mentor, in_hours(30)).get_json()
    second = book(student, mentor, in_hours(40)).get_json()
    assert first["meeting_link"].startswith("https://meet.example.com/")
    assert first["meeting_link"] != second["meeting_link"]


def test_an_offset_time_is_stored_as_the_same_instant_in_utc(book, student, mentor):
    start = in_hours(30).astimezone(timezone(timedelta(hours=5, minutes=30)))
    response = book(student, mentor, start)
    assert response.status_code == 201
    returned = datetime.fromisoformat(response.get_json()["scheduled_time"])
    assert returned == start
    assert returned.utcoffset() == timedelta(0)


def test_duration_defaults_to_an_hour(client, auth_headers, student, mentor):
    payload = {"mentor_id": mentor.id, "topic": "SQL", "scheduled_time": iso(in_hours(30))}
    response = client.post(SESSIONS, json=payload, headers=auth_headers(student))
    assert response.status_code == 201
    assert response.get_json()["duration_minutes"] == 60


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"scheduled_time": in_hours(30).replace(tzinfo=None).isoformat()}, "scheduled_time"),
        ({"scheduled_time": "tomorrow at noon"}, "scheduled_time"),
        ({"scheduled_time": None}, "scheduled_time"),
        ({"mentor_id": "abc"}, "mentor_id"),
        ({"mentor_id": None}, "mentor_id"),
        ({"mentor_id": 2**31}, "mentor_id"),
        ({"mentor_id": 0}, "mentor_id"),
        ({"scheduled_time": "0001-01-01T00:00:00+14:00"}, "scheduled_time"),
        ({"scheduled_time": "9999-12-31T23:59:00-14:00"}, "scheduled_time"),
        ({"topic": "   "}, "topic"),
        ({"topic": "x" * 201}, "topic"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"duration_minutes": "60"}, "duration_minutes"),
        ({"duration_minutes": 30.5}, "duration_minutes"),
        ({"price": 10}, "price"),
    ],
)
def test_invalid_fields_are_422_per_field(book, student, mentor, overrides, field):
    response = book(student, mentor, **overrides)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("missing", ["mentor_id", "topic", "scheduled_time"])
def test_required_fields(client, auth_headers, student, mentor, missing):
    payload = {"mentor_id": mentor.id, "topic": "SQL", "scheduled_time": iso(in_hours(30))}
    del payload[missing]
    response = client.post(SESSIONS, json=payload, headers=auth_headers(student))
    assert response.status_code == 422
    assert missing in response.get_json()["errors"]


@pytest.mark.parametrize("start", [in_hours(-1), in_hours(0), in_hours(24 * 366)])
def test_times_in_the_past_or_beyond_a_year_are_refused(book, student, mentor, db, start):
    response = book(student, mentor, start)
    assert response.status_code == 422
    assert "scheduled_time" in response.get_json()["errors"]
    assert db.session.query(MentorSession).count() == 0


def test_a_non_mentor_or_unknown_mentor_is_refused(book, student, make_user):
    other_student = make_user()
    for target_id in (other_student.id, 999_999):
        response = book(student, type("Ref", (), {"id": target_id}))
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"mentor_id": ["No mentor with this id."]}


def test_booking_yourself_is_refused(book, mentor):
    response = book(mentor, mentor)
    assert response.status_code == 422
    assert "mentor_id" in response.get_json()["errors"]


def test_a_mentor_may_book_another_mentor(book, mentor, make_user):
    other_mentor = make_user(is_mentor=True)
    response = book(mentor, other_mentor)
    assert response.status_code == 201
    assert response.get_json()["student_id"] == mentor.id


def test_the_mentor_cannot_be_double_booked(book, student, mentor, make_user, db):
    start = in_hours(30)
    assert book(student, mentor, start).status_code == 201
    response = book(make_user(), mentor, start + timedelta(minutes=59))
    assert response.status_code == 409
    assert response.get_json()["message"] == "The mentor already has a session at that time."
    assert db.session.query(MentorSession).count() == 1


def test_the_student_cannot_be_double_booked(book, student, mentor, make_user):
    start = in_hours(30)
    assert book(student, mentor, start, duration_minutes=90).status_code == 201
    response = book(student, make_user(is_mentor=True), start - timedelta(minutes=30))
    assert response.status_code == 409
    assert response.get_json()["message"] == "The student already has a session at that time."


def test_a_session_in_another_role_still_counts(book, student, mentor, make_user):
    start = in_hours(30)
    # The mentor is a student in someone else's session at that time.
    assert book(mentor, make_user(is_mentor=True), start).status_code == 201
    assert book(student, mentor, start).status_code == 409


def test_back_to_back_sessions_do_not_overlap(book, student, mentor, make_user):
    start = in_hours(30)
    assert book(student, mentor, start).status_code == 201
    assert book(make_user(), mentor, start + timedelta(minutes=60)).status_code == 201
    assert book(make_user(), mentor, start - timedelta(minutes=60)).status_code == 201


def test_a_cancelled_session_frees_its_slot(book, client, auth_headers, student, mentor):
    start = in_hours(30)
    session = book(student, mentor, start).get_json()
    client.post(f"{SESSIONS}/{session['id']}/cancel", headers=auth_headers(student))
    assert book(student, mentor, start).status_code == 201


def test_concurrent_bookings_of_one_slot_yield_exactly_one_session(app, make_user, auth_headers):
    mentor = make_user(is_mentor=True)
    headers = [auth_headers(make_user()) for _ in range(8)]
    mentor_id, start = mentor.id, in_hours(30)

    def attempt(index: int):
        # Staggered by a minute each: different requests, all overlapping one another.
        when = iso(start + timedelta(minutes=index))
        payload = {"mentor_id": mentor_id, "topic": "Race", "scheduled_time": when}
        return lambda client: client.post(SESSIONS, json=payload, headers=headers[index])

    statuses = concurrently(app, [attempt(i) for i in range(len(headers))])
    assert statuses == [201] + [409] * (len(headers) - 1)


def test_booking_raises_the_event_inside_the_transaction(book, student, mentor, monkeypatch, db):
    seen = []

    def record(session):
        # Flushed (it has an id) but not committed: another connection cannot see it yet.
        with db.engine.connect() as other:
            visible = other.exec_driver_sql(
                "SELECT count(*) FROM mentor_sessions WHERE id = %s", (session.id,)
            ).scalar()
        seen.append((session.id, session.status, visible))

    monkeypatch.setattr(events, "session_booked", record)
    body = book(student, mentor).get_json()
    assert seen == [(body["id"], "scheduled", 0)]


def test_a_failing_event_hook_stores_no_session(book, student, mentor, monkeypatch, db):
    def explode(session):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(events, "session_booked", explode)
    assert book(student, mentor).status_code == 500
    assert db.session.query(MentorSession).count() == 0


def test_booking_needs_a_token(client, mentor):
    payload = {"mentor_id": mentor.id, "topic": "SQL", "scheduled_time": iso(in_hours(30))}
    assert client.post(SESSIONS, json=payload).status_code == 401


def test_malformed_json_is_400(client, auth_headers, student):
    response = client.post(
        SESSIONS, data="{nope", content_type="application/json", headers=auth_headers(student)
    )
    assert response.status_code == 400
    assert response.get_json()["status_code"] == 400


def test_a_utc_z_suffix_is_accepted(client, auth_headers, student, mentor):
    start = in_hours(30).astimezone(UTC)
    payload = {
        "mentor_id": mentor.id,
        "topic": "SQL",
        "scheduled_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    response = client.post(SESSIONS, json=payload, headers=auth_headers(student))
    assert response.status_code == 201
