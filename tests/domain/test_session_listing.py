"""GET /sessions and GET /sessions/<id>: the caller's own sessions, and nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.booking import SESSIONS, in_hours, session_action

# --- GET /sessions --------------------------------------------------------------------------


def test_the_list_holds_only_the_callers_sessions_in_either_role(
    book, client, auth_headers, student, mentor, make_user
):
    mine_as_student = book(student, mentor, in_hours(30)).get_json()
    other_mentor = make_user(is_mentor=True)
    mine_as_mentor = book(other_mentor, mentor, in_hours(50)).get_json()
    book(make_user(), other_mentor, in_hours(70))  # neither role is `mentor`'s
    body = client.get(SESSIONS, headers=auth_headers(mentor)).get_json()
    assert body["total"] == 2
    assert {s["id"] for s in body["items"]} == {mine_as_student["id"], mine_as_mentor["id"]}
    assert client.get(SESSIONS, headers=auth_headers(student)).get_json()["total"] == 1


def test_status_filters(book, client, auth_headers, clock, student, mentor, completed_session):
    upcoming_late = book(student, mentor, in_hours(72)).get_json()
    upcoming_soon = book(student, mentor, in_hours(24)).get_json()
    cancelled = book(student, mentor, in_hours(96)).get_json()
    session_action(client, f"/{cancelled['id']}/cancel", auth_headers(student))
    start = in_hours(-3)
    clock(start - timedelta(hours=1))
    started_not_completed = book(student, mentor, start).get_json()
    clock(None)

    def ids(status):
        response = client.get(f"{SESSIONS}?status={status}", headers=auth_headers(student))
        assert response.status_code == 200
        return [s["id"] for s in response.get_json()["items"]]

    assert ids("upcoming") == [upcoming_soon["id"], upcoming_late["id"]]
    assert ids("past") == [completed_session["id"], started_not_completed["id"]]
    assert ids("cancelled") == [cancelled["id"]]
    everything = client.get(SESSIONS, headers=auth_headers(student)).get_json()
    assert everything["total"] == 5


def test_paging(book, client, auth_headers, student, mentor):
    booked = [book(student, mentor, in_hours(24 * (i + 1))).get_json()["id"] for i in range(3)]
    url = f"{SESSIONS}?status=upcoming&per_page=2"
    first = client.get(url + "&page=1", headers=auth_headers(student)).get_json()
    second = client.get(url + "&page=2", headers=auth_headers(student)).get_json()
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (3, 2, 1, 2)
    assert [s["id"] for s in first["items"] + second["items"]] == booked


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=soon", "status"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
    ],
)
def test_bad_list_queries_are_422(client, auth_headers, student, query, field):
    response = client.get(f"{SESSIONS}?{query}", headers=auth_headers(student))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_listing_needs_a_token(client):
    assert client.get(SESSIONS).status_code == 401


# --- GET /sessions/<id> ---------------------------------------------------------------------


def test_participants_see_a_session_and_nobody_else_does(
    client, auth_headers, session, student, mentor, outsider
):
    for user in (student, mentor):
        response = client.get(f"{SESSIONS}/{session['id']}", headers=auth_headers(user))
        assert response.status_code == 200
        assert response.get_json() == session
    hidden = client.get(f"{SESSIONS}/{session['id']}", headers=auth_headers(outsider))
    missing = client.get(f"{SESSIONS}/999999", headers=auth_headers(outsider))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    too_big = client.get(f"{SESSIONS}/{2**31}", headers=auth_headers(student))
    assert too_big.status_code == 404
    assert client.get(f"{SESSIONS}/{session['id']}").status_code == 401
