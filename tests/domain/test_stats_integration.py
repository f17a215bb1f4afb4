"""The dashboard and user statistics count what the domain APIs create."""

from __future__ import annotations

from datetime import timedelta

from tests.support.booking import SESSIONS, in_hours

COURSES = "/api/v1/courses"


def test_dashboard_and_user_stats_count_api_activity(
    book, client, auth_headers, clock, student, mentor
):
    as_student, as_mentor = auth_headers(student), auth_headers(mentor)

    start = in_hours(-2)
    clock(start - timedelta(hours=1))
    done = book(student, mentor, start).get_json()
    clock(None)
    upcoming = book(student, mentor, in_hours(24)).get_json()
    cancelled = book(student, mentor, in_hours(48)).get_json()
    assert client.post(f"{SESSIONS}/{done['id']}/complete", headers=as_mentor).status_code == 200
    assert (
        client.post(f"{SESSIONS}/{cancelled['id']}/cancel", headers=as_student).status_code == 200
    )
    review = client.post(f"{SESSIONS}/{done['id']}/review", json={"rating": 4}, headers=as_student)
    assert review.status_code == 201

    courses = [
        client.post(COURSES, json={"title": title}, headers=as_mentor).get_json()
        for title in ("SQL", "Flask")
    ]
    enrollments = [
        client.post(f"{COURSES}/{course['id']}/enroll", headers=as_student).get_json()
        for course in courses
    ]
    finished = client.patch(
        f"/api/v1/enrollments/{enrollments[0]['id']}",
        json={"status": "completed"},
        headers=as_student,
    )
    assert finished.status_code == 200

    student_dashboard = client.get("/api/v1/stats/dashboard", headers=as_student).get_json()
    assert student_dashboard == {
        "total_courses": 2,
        "in_progress": 1,
        "completed": 1,
        "total_sessions": 3,
        "upcoming_sessions": 1,
        "completed_sessions": 1,
        "total_reviews": 1,
        "average_rating": 4.0,
    }
    mentor_dashboard = client.get("/api/v1/stats/dashboard", headers=as_mentor).get_json()
    assert mentor_dashboard["total_sessions"] == 3
    assert mentor_dashboard["upcoming_sessions"] == 1
    assert mentor_dashboard["completed_sessions"] == 1
    assert (mentor_dashboard["total_reviews"], mentor_dashboard["average_rating"]) == (1, 4.0)
    assert mentor_dashboard["total_courses"] == 0

    student_stats = client.get("/api/v1/stats/user", headers=as_student).get_json()
    assert student_stats["student_stats"] == {"total_sessions": 3, "completed_sessions": 1}
    mentor_stats = client.get("/api/v1/stats/user", headers=as_mentor).get_json()
    assert mentor_stats["mentor_stats"] == {"total_sessions": 3, "completed_sessions": 1}
    platform = client.get("/api/v1/stats/platform").get_json()
    assert platform["total_sessions"] == 3
    assert upcoming["status"] == "scheduled"
