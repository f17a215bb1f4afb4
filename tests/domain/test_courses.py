"""Courses: mentors create them, anyone signed in lists them, students enroll and progress."""

from __future__ import annotations

import pytest

from tests.support.concurrency import concurrently

COURSES = "/api/v1/courses"
ENROLLMENTS = "/api/v1/enrollments"


@pytest.fixture
def create_course(client, auth_headers):
    def factory(mentor, title="Intro to SQL", **extra):
        return client.post(COURSES, json={"title": title, **extra}, headers=auth_headers(mentor))

    return factory


@pytest.fixture
def course(create_course, mentor) -> dict:
    return create_course(mentor, description="Joins and indexes").get_json()


def enroll(client, headers, course_id):
    return client.post(f"{COURSES}/{course_id}/enroll", headers=headers)


def test_a_mentor_creates_a_course(create_course, mentor):
    response = create_course(mentor, title="  Intro to SQL ", description="Joins")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["title"], body["description"], body["mentor_id"]) == (
        "Intro to SQL",
        "Joins",
        mentor.id,
    )
    assert body["mentor"] == {"id": mentor.id, "name": mentor.name}


def test_the_description_is_optional(create_course, mentor):
    assert create_course(mentor).get_json()["description"] == ""


def test_students_cannot_create_courses(create_course, student, client, auth_headers):
    assert create_course(student).status_code == 403
    assert client.get(COURSES, headers=auth_headers(student)).get_json()["total"] == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "title"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 7}, "title"),
        ({"title": "SQL", "description": "x" * 5001}, "description"),
        ({"title": "SQL", "price": 3}, "price"),
    ],
)
def test_invalid_courses_are_422(client, auth_headers, mentor, payload, field):
    response = client.post(COURSES, json=payload, headers=auth_headers(mentor))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_course_creation_needs_a_token_and_valid_json(client, auth_headers, mentor):
    assert client.post(COURSES, json={"title": "SQL"}).status_code == 401
    malformed = client.post(
        COURSES, data="{", content_type="application/json", headers=auth_headers(mentor)
    )
    assert malformed.status_code == 400


def test_any_signed_in_user_lists_courses_newest_first(
    create_course, client, auth_headers, student, mentor, make_user
):
    other = make_user(is_mentor=True)
    first = create_course(mentor, title="A").get_json()
    second = create_course(other, title="B").get_json()
    third = create_course(mentor, title="C").get_json()
    body = client.get(COURSES, headers=auth_headers(student)).get_json()
    assert [c["id"] for c in body["items"]] == [third["id"], second["id"], first["id"]]
    only_mentor = client.get(f"{COURSES}?mentor_id={mentor.id}", headers=auth_headers(student))
    assert [c["id"] for c in only_mentor.get_json()["items"]] == [third["id"], first["id"]]
    page = client.get(f"{COURSES}?per_page=2&page=2", headers=auth_headers(student)).get_json()
    assert (page["total"], page["pages"], [c["id"] for c in page["items"]]) == (
        3,
        2,
        [first["id"]],
    )


@pytest.mark.parametrize(
    "query", ["mentor_id=abc", f"mentor_id={2**31}", "per_page=500", "page=-1", "page=100001"]
)
def test_bad_course_queries_are_422(client, auth_headers, student, query):
    assert client.get(f"{COURSES}?{query}", headers=auth_headers(student)).status_code == 422


def test_listing_needs_a_token(client):
    assert client.get(COURSES).status_code == 401


def test_a_student_enrolls_once(client, auth_headers, student, course):
    response = enroll(client, auth_headers(student), course["id"])
    assert response.status_code == 201
    body = response.get_json()
    assert (body["course_id"], body["student_id"], body["status"]) == (
        course["id"],
        student.id,
        "in_progress",
    )
    again = enroll(client, auth_headers(student), course["id"])
    assert again.status_code == 409
    assert again.get_json()["message"] == "You are already enrolled in this course."


def test_concurrent_enrollments_of_one_student_yield_one(app, auth_headers, student, course):
    url, headers = f"{COURSES}/{course['id']}/enroll", auth_headers(student)
    statuses = concurrently(app, [lambda client: client.post(url, headers=headers)] * 6)
    assert statuses == [201] + [409] * 5


def test_mentors_cannot_enroll(client, auth_headers, mentor, make_user, course):
    assert enroll(client, auth_headers(mentor), course["id"]).status_code == 403
    assert enroll(client, auth_headers(make_user(is_mentor=True)), course["id"]).status_code == 403


def test_enrolling_in_an_unknown_course_is_404(client, auth_headers, student):
    assert enroll(client, auth_headers(student), 999999).status_code == 404
    assert enroll(client, auth_headers(student), 2**40).status_code == 404
    assert enroll(client, {}, 1).status_code == 401


def test_the_student_updates_their_enrollment(client, auth_headers, student, course):
    enrollment = enroll(client, auth_headers(student), course["id"]).get_json()
    url = f"{ENROLLMENTS}/{enrollment['id']}"
    done = client.patch(url, json={"status": "completed"}, headers=auth_headers(student))
    assert done.status_code == 200
    assert done.get_json()["status"] == "completed"
    back = client.patch(url, json={"status": "in_progress"}, headers=auth_headers(student))
    assert back.get_json()["status"] == "in_progress"


def test_nobody_else_sees_an_enrollment(client, auth_headers, student, mentor, make_user, course):
    enrollment = enroll(client, auth_headers(student), course["id"]).get_json()
    url = f"{ENROLLMENTS}/{enrollment['id']}"
    for user in (mentor, make_user()):
        response = client.patch(url, json={"status": "completed"}, headers=auth_headers(user))
        assert response.status_code == 404
    for missing_id in (999999, 2**40):
        missing = client.patch(
            f"{ENROLLMENTS}/{missing_id}",
            json={"status": "completed"},
            headers=auth_headers(student),
        )
        assert missing.status_code == 404
    assert client.patch(url, json={"status": "completed"}).status_code == 401
    current = client.patch(url, json={"status": "in_progress"}, headers=auth_headers(student))
    assert current.get_json()["status"] == "in_progress"


@pytest.mark.parametrize("payload", [{}, {"status": "dropped"}, {"status": None}])
def test_invalid_enrollment_updates_are_422(client, auth_headers, student, course, payload):
    enrollment = enroll(client, auth_headers(student), course["id"]).get_json()
    response = client.patch(
        f"{ENROLLMENTS}/{enrollment['id']}", json=payload, headers=auth_headers(student)
    )
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_malformed_enrollment_update_is_400(client, auth_headers, student, course):
    enrollment = enroll(client, auth_headers(student), course["id"]).get_json()
    response = client.patch(
        f"{ENROLLMENTS}/{enrollment['id']}",
        data="{",
        content_type="application/json",
        headers=auth_headers(student),
    )
    assert response.status_code == 400
