"""Cancelling, rescheduling and completing sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mentorhub.notifications import events
from tests.support.booking import SESSIONS, in_hours, iso
from tests.support.booking import session_action as post

# --- cancel ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "mentor"])
def test_either_participant_cancels(client, auth_headers, session, student, mentor, who):
    user = {"student": student, "mentor": mentor}[who]
    response = post(
        client, f"/{session['id']}/cancel", auth_headers(user), json={"reason": "  Sick  "}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "Sick")


def test_cancel_without_a_body(client, auth_headers, session, student):
    response = post(client, f"/{session['id']}/cancel", auth_headers(student))
    assert response.status_code == 200
    assert response.get_json()["cancel_reason"] is None


def test_cancel_raises_the_event_with_who_and_why(
    client, auth_headers, session, mentor, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        events,
        "session_cancelled",
        lambda s, cancelled_by, reason: calls.append((s.id, s.status, cancelled_by.id, reason)),
    )
    post(client, f"/{session['id']}/cancel", auth_headers(mentor), json={"reason": "Clash"})
    assert calls == [(session["id"], "cancelled", mentor.id, "Clash")]


def test_only_a_scheduled_session_can_be_cancelled(
    client, auth_headers, session, student, completed_session
):
    assert post(client, f"/{session['id']}/cancel", auth_headers(student)).status_code == 200
    again = post(client, f"/{session['id']}/cancel", auth_headers(student))
    done = post(client, f"/{completed_session['id']}/cancel", auth_headers(student))
    assert again.status_code == done.status_code == 409


def test_outsiders_cannot_cancel(client, auth_headers, session, outsider, student):
    assert post(client, f"/{session['id']}/cancel", auth_headers(outsider)).status_code == 404
    shown = client.get(f"{SESSIONS}/{session['id']}", headers=auth_headers(student)).get_json()
    assert shown["status"] == "scheduled"


def test_cancel_input_errors(client, auth_headers, session, student):
    url = f"/{session['id']}/cancel"
    too_long = post(client, url, auth_headers(student), json={"reason": "x" * 1001})
    assert too_long.status_code == 422 and "reason" in too_long.get_json()["errors"]
    malformed = post(client, url, auth_headers(student), data="{", content_type="application/json")
    assert malformed.status_code == 400
    assert post(client, url, {}).status_code == 401


# --- reschedule -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "mentor"])
def test_either_participant_reschedules(
    client, auth_headers, session, student, mentor, monkeypatch, who
):
    calls = []
    monkeypatch.setattr(
        events, "session_rescheduled", lambda s, **_: calls.append(s.scheduled_time)
    )
    user = {"student": student, "mentor": mentor}[who]
    new_start = in_hours(100)
    response = post(
        client,
        f"/{session['id']}/reschedule",
        auth_headers(user),
        json={"scheduled_time": iso(new_start)},
    )
    assert response.status_code == 200
    assert datetime.fromisoformat(response.get_json()["scheduled_time"]) == new_start
    assert calls == [new_start]


def test_reschedule_may_overlap_its_own_old_slot(client, auth_headers, session, student):
    moved = datetime.fromisoformat(session["scheduled_time"]) + timedelta(minutes=30)
    response = post(
        client,
        f"/{session['id']}/reschedule",
        auth_headers(student),
        json={"scheduled_time": iso(moved)},
    )
    assert response.status_code == 200


def test_reschedule_onto_a_busy_slot_is_409(
    book, client, auth_headers, session, student, mentor, make_user
):
    busy = in_hours(80)
    assert book(make_user(), mentor, busy).status_code == 201
    response = post(
        client,
        f"/{session['id']}/reschedule",
        auth_headers(student),
        json={"scheduled_time": iso(busy + timedelta(minutes=10))},
    )
    assert response.status_code == 409
    shown = client.get(f"{SESSIONS}/{session['id']}", headers=auth_headers(student)).get_json()
    assert shown["scheduled_time"] == session["scheduled_time"]


@pytest.mark.parametrize(
    "payload",
    [
        {"scheduled_time": in_hours(-2).isoformat()},
        {"scheduled_time": in_hours(50).replace(tzinfo=None).isoformat()},
        {},
    ],
)
def test_reschedule_input_errors(client, auth_headers, session, student, payload):
    response = post(client, f"/{session['id']}/reschedule", auth_headers(student), json=payload)
    assert response.status_code == 422
    assert "scheduled_time" in response.get_json()["errors"]


def test_reschedule_refusals(client, auth_headers, session, student, outsider):
    body = {"scheduled_time": iso(in_hours(60))}
    url = f"/{session['id']}/reschedule"
    assert post(client, url, auth_headers(outsider), json=body).status_code == 404
    assert post(client, url, {}, json=body).status_code == 401
    post(client, f"/{session['id']}/cancel", auth_headers(student))
    assert post(client, url, auth_headers(student), json=body).status_code == 409


# --- complete -------------------------------------------------------------------------------


def test_the_mentor_completes_a_started_session(book, client, auth_headers, clock, student, mentor):
    start = in_hours(-1)
    clock(start - timedelta(hours=1))
    session = book(student, mentor, start).get_json()
    clock(None)
    url = f"/{session['id']}/complete"
    assert post(client, url, auth_headers(student)).status_code == 403
    response = post(client, url, auth_headers(mentor))
    assert response.status_code == 200
    assert response.get_json()["status"] == "completed"
    assert post(client, url, auth_headers(mentor)).status_code == 409


def test_a_session_cannot_be_completed_before_it_starts(client, auth_headers, session, mentor):
    response = post(client, f"/{session['id']}/complete", auth_headers(mentor))
    assert response.status_code == 409
    assert response.get_json()["message"] == "A session cannot be completed before it starts."


def test_a_cancelled_session_cannot_be_completed(
    book, client, auth_headers, clock, student, mentor
):
    start = in_hours(-1)
    clock(start - timedelta(hours=1))
    session = book(student, mentor, start).get_json()
    clock(None)
    post(client, f"/{session['id']}/cancel", auth_headers(student))
    assert post(client, f"/{session['id']}/complete", auth_headers(mentor)).status_code == 409


def test_outsiders_cannot_complete(client, auth_headers, session, outsider):
    assert post(client, f"/{session['id']}/complete", auth_headers(outsider)).status_code == 404
    assert post(client, "/999999/complete", auth_headers(outsider)).status_code == 404
    assert post(client, f"/{session['id']}/complete", {}).status_code == 401
