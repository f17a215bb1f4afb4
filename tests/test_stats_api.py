"""GET /stats/platform, /stats/user and /stats/dashboard: shapes, figures, caching, auth."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event

from mentorhub.models import Course, Enrollment, MentorSession, Review, utcnow

PLATFORM = "/api/v1/stats/platform"
USER = "/api/v1/stats/user"
DASHBOARD = "/api/v1/stats/dashboard"


def add_session(db, mentor, student, hours: float, status: str = "scheduled") -> MentorSession:
    row = MentorSession(
        mentor_id=mentor.id,
        student_id=student.id,
        topic="SQL Tuning",
        scheduled_time=utcnow() + timedelta(hours=hours),
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


def add_review(db, session: MentorSession, rating: int) -> None:
    db.session.add(
        Review(
            session_id=session.id,
            reviewer_id=session.student_id,
            mentor_id=session.mentor_id,
            rating=rating,
        )
    )
    db.session.commit()


def test_platform_stats_have_exactly_the_spec_shape(client, db, make_user, student, mentor):
    make_user("second-mentor@example.com", is_mentor=True)
    add_session(db, mentor, student, 24)
    add_session(db, mentor, student, -24, "cancelled")
    response = client.get(PLATFORM)
    assert response.status_code == 200
    assert response.get_json() == {
        "total_users": 3,
        "total_mentors": 2,
        "total_students": 1,
        "total_sessions": 2,
        "platform_name": "MentorHub",
        "version": "1.0.0",
    }


def test_platform_name_and_version_are_configurable(make_app):
    app = make_app(PLATFORM_NAME="Acme Mentoring", PLATFORM_VERSION="2.3.4")
    body = app.test_client().get(PLATFORM).get_json()
    assert (body["platform_name"], body["version"]) == ("Acme Mentoring", "2.3.4")


def test_platform_stats_are_cached_for_the_configured_ttl(make_app, make_user):
    app = make_app(STATS_CACHE_TTL="2")
    client = app.test_client()
    make_user("first@example.com")
    assert client.get(PLATFORM).get_json()["total_users"] == 1
    make_user("second@example.com")
    # Within the TTL the cached figure is served...
    assert client.get(PLATFORM).get_json()["total_users"] == 1
    # ...and after it the new one, without anyone clearing the cache.
    deadline = time.monotonic() + 15
    while client.get(PLATFORM).get_json()["total_users"] != 2:
        assert time.monotonic() < deadline, "the platform cache never expired"
        time.sleep(0.2)


def test_the_default_platform_cache_ttl_is_five_minutes(app):
    assert app.config["STATS_CACHE_TTL"] == 300


def test_50_concurrent_requests_at_expiry_read_the_counters_once(make_app, make_user):
    app = make_app(STATS_CACHE_TTL="2", REDIS_SOCKET_TIMEOUT="2")
    make_user("before@example.com")
    client = app.test_client()
    assert client.get(PLATFORM).get_json()["total_users"] == 1
    make_user("after@example.com")
    time.sleep(2.2)  # the cached entry is now stale

    from mentorhub.extensions import db

    counter_reads = []

    def slow_counter_read(conn, cursor, statement, parameters, context, executemany):
        if "FROM platform_counters" in statement:
            counter_reads.append(statement)
            time.sleep(0.5)  # widen the window in which a stampede would show

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", slow_counter_read)
    barrier = threading.Barrier(50)
    bodies = []

    def request():
        barrier.wait()
        bodies.append(app.test_client().get(PLATFORM).get_json())

    try:
        threads = [threading.Thread(target=request) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(engine, "before_cursor_execute", slow_counter_read)
    assert len(counter_reads) == 1
    assert len(bodies) == 50
    totals = sorted(body["total_users"] for body in bodies)
    assert set(totals) <= {1, 2} and totals[-1] == 2  # previous value, or the one recompute


def test_user_stats_for_a_mentor(client, db, auth_headers, mentor, student):
    add_session(db, mentor, student, 24)
    add_session(db, mentor, student, -24, "completed")
    add_session(db, mentor, student, -48, "completed")
    add_session(db, mentor, student, -72, "cancelled")
    response = client.get(USER, headers=auth_headers(mentor))
    assert response.status_code == 200
    assert response.get_json() == {
        "user_id": mentor.id,
        "email": "mentor@example.com",
        "is_mentor": True,
        "created_at": mentor.created_at.isoformat(),
        "mentor_stats": {"total_sessions": 4, "completed_sessions": 2},
    }
    assert "+00:00" in response.get_json()["created_at"]


def test_user_stats_for_a_student(client, db, auth_headers, mentor, student, make_user):
    other = make_user("other-student@example.com")
    add_session(db, mentor, student, -24, "completed")
    add_session(db, mentor, other, -24, "completed")
    body = client.get(USER, headers=auth_headers(student)).get_json()
    assert body["student_stats"] == {"total_sessions": 1, "completed_sessions": 1}
    assert "mentor_stats" not in body
    assert body["is_mentor"] is False


@pytest.mark.parametrize("path", [USER, DASHBOARD])
def test_user_and_dashboard_stats_require_a_token(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["status_code"] == 401
    bad = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_dashboard_for_a_student(client, db, auth_headers, mentor, student, make_user):
    other_mentor = make_user("m2@example.com", is_mentor=True)
    course = Course(mentor_id=mentor.id, title="SQL", description="")
    course2 = Course(mentor_id=other_mentor.id, title="Rust", description="")
    course3 = Course(mentor_id=other_mentor.id, title="Go", description="")
    db.session.add_all([course, course2, course3])
    db.session.commit()
    db.session.add_all(
        [
            Enrollment(student_id=student.id, course_id=course.id, status="in_progress"),
            Enrollment(student_id=student.id, course_id=course2.id, status="completed"),
            Enrollment(student_id=student.id, course_id=course3.id, status="in_progress"),
        ]
    )
    db.session.commit()
    add_session(db, mentor, student, 24)
    add_session(db, other_mentor, student, 48)
    add_session(db, mentor, student, 72, "cancelled")
    done = [add_session(db, mentor, student, -h, "completed") for h in (24, 48, 72)]
    add_session(db, mentor, student, -96, "scheduled")  # in the past: not upcoming
    add_review(db, done[0], 5)
    add_review(db, done[1], 4)
    add_review(db, done[2], 4)
    body = client.get(DASHBOARD, headers=auth_headers(student)).get_json()
    assert body == {
        "total_courses": 3,
        "in_progress": 2,
        "completed": 1,
        "total_sessions": 7,
        "upcoming_sessions": 2,
        "completed_sessions": 3,
        "total_reviews": 3,
        "average_rating": 4.33,
    }


def test_dashboard_for_a_mentor_counts_reviews_received(client, db, auth_headers, mentor, student):
    first = add_session(db, mentor, student, -24, "completed")
    second = add_session(db, mentor, student, -48, "completed")
    add_session(db, mentor, student, 5)
    add_review(db, first, 5)
    add_review(db, second, 2)
    body = client.get(DASHBOARD, headers=auth_headers(mentor)).get_json()
    assert body["total_sessions"] == 3
    assert body["upcoming_sessions"] == 1
    assert body["completed_sessions"] == 2
    assert body["total_reviews"] == 2
    assert body["average_rating"] == 3.5
    # The student wrote those reviews, so they count on the student's dashboard too.
    assert client.get(DASHBOARD, headers=auth_headers(student)).get_json()["total_reviews"] == 2


def test_an_empty_dashboard_has_null_average(client, auth_headers, student):
    assert client.get(DASHBOARD, headers=auth_headers(student)).get_json() == {
        "total_courses": 0,
        "in_progress": 0,
        "completed": 0,
        "total_sessions": 0,
        "upcoming_sessions": 0,
        "completed_sessions": 0,
        "total_reviews": 0,
        "average_rating": None,
    }
