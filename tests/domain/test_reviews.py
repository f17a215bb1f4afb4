"""POST /sessions/<id>/review: the student reviews a completed session once."""

from __future__ import annotations

import pytest

from tests.support.booking import SESSIONS, in_hours
from tests.support.concurrency import concurrently


def review(client, headers, session_id, **payload):
    return client.post(f"{SESSIONS}/{session_id}/review", json=payload, headers=headers)


def test_the_student_reviews_a_completed_session(
    client, auth_headers, student, mentor, completed_session
):
    response = review(
        client, auth_headers(student), completed_session["id"], rating=5, comment=" Great "
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["session_id"] == completed_session["id"]
    assert (body["reviewer_id"], body["mentor_id"]) == (student.id, mentor.id)
    assert (body["rating"], body["comment"]) == (5, "Great")


def test_a_comment_is_optional(client, auth_headers, student, completed_session):
    response = review(client, auth_headers(student), completed_session["id"], rating=3)
    assert response.status_code == 201
    assert response.get_json()["comment"] is None


def test_a_session_is_reviewed_once(client, auth_headers, student, completed_session):
    first = review(client, auth_headers(student), completed_session["id"], rating=4)
    assert first.status_code == 201
    second = review(client, auth_headers(student), completed_session["id"], rating=1)
    assert second.status_code == 409
    assert second.get_json()["message"] == "This session has already been reviewed."


def test_concurrent_reviews_of_one_session_yield_one(
    app, auth_headers, student, completed_session, db
):
    url, headers = f"{SESSIONS}/{completed_session['id']}/review", auth_headers(student)

    def post_review(client):
        return client.post(url, json={"rating": 5}, headers=headers)

    assert concurrently(app, [post_review] * 6) == [201] + [409] * 5


def test_only_completed_sessions_are_reviewed(book, client, auth_headers, student, mentor):
    session = book(student, mentor, in_hours(30)).get_json()
    assert review(client, auth_headers(student), session["id"], rating=5).status_code == 409
    client.post(f"{SESSIONS}/{session['id']}/cancel", headers=auth_headers(student))
    assert review(client, auth_headers(student), session["id"], rating=5).status_code == 409


def test_the_mentor_may_not_review_and_outsiders_get_404(
    client, auth_headers, mentor, make_user, completed_session
):
    assert (
        review(client, auth_headers(mentor), completed_session["id"], rating=5).status_code == 403
    )
    outsider = make_user()
    assert (
        review(client, auth_headers(outsider), completed_session["id"], rating=5).status_code == 404
    )
    assert review(client, auth_headers(outsider), 999999, rating=5).status_code == 404
    assert review(client, {}, completed_session["id"], rating=5).status_code == 401


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": 4.5}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "comment": "x" * 2001}, "comment"),
        ({"rating": 5, "stars": 5}, "stars"),
    ],
)
def test_invalid_reviews_are_422(client, auth_headers, student, completed_session, payload, field):
    response = review(client, auth_headers(student), completed_session["id"], **payload)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_malformed_json_is_400(client, auth_headers, student, completed_session):
    response = client.post(
        f"{SESSIONS}/{completed_session['id']}/review",
        data="rating=5",
        content_type="application/json",
        headers=auth_headers(student),
    )
    assert response.status_code == 400
