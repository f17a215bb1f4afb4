"""`flask seed-demo`: bulk demo data on PostgreSQL (COPY) and SQLite, with exact counters."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from mentorhub.extensions import db as _db
from mentorhub.models import Course, Enrollment, MentorSession, Review, User
from mentorhub.stats.counters import read_totals
from tests.support.auth import AuthActions


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_on_postgresql_loads_consistent_data(runner, db):
    result = runner.invoke(args=["seed-demo", "--users", "2000", "--sessions", "5000"])
    assert result.exit_code == 0, result.output
    assert "Seeded 2000 users" in result.output
    assert "users" in result.output and "sessions" in result.output  # progress bar labels
    assert _count(User) == 2000
    assert _count(MentorSession) == 5000
    assert _count(Course) > 0 and _count(Enrollment) > 0 and _count(Review) > 0
    mentors = _count(User, User.is_mentor.is_(True))
    assert 0.1 < mentors / 2000 < 0.2
    # COPY bypasses the ORM; the seed rebuilt the counters from the tables.
    assert read_totals() == {
        "total_users": 2000,
        "total_mentors": mentors,
        "total_students": 2000 - mentors,
        "total_sessions": 5000,
    }
    mentor = aliased(User)
    student = aliased(User)
    wrong_roles = _count(
        MentorSession,
        MentorSession.mentor_id == mentor.id,
        MentorSession.student_id == student.id,
        mentor.is_mentor.is_(False) | student.is_mentor.is_(True),
    )
    assert wrong_roles == 0
    now = func.now()
    assert (
        _count(
            MentorSession, MentorSession.scheduled_time > now, MentorSession.status == "completed"
        )
        == 0
    )
    assert (
        _count(
            MentorSession, MentorSession.scheduled_time < now, MentorSession.status == "scheduled"
        )
        == 0
    )
    unreviewable = _count(
        Review,
        Review.session_id == MentorSession.id,
        (MentorSession.status != "completed") | (Review.reviewer_id != MentorSession.student_id),
    )
    assert unreviewable == 0


def test_seed_demo_twice_adds_more_and_if_empty_skips(runner, db):
    assert runner.invoke(args=["seed-demo", "--users", "20", "--sessions", "30"]).exit_code == 0
    assert runner.invoke(args=["seed-demo", "--users", "20", "--sessions", "30"]).exit_code == 0
    assert _count(User) == 40
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "already has users" in skipped.output
    assert _count(User) == 40
    assert read_totals()["total_users"] == 40


def test_seed_demo_rejects_too_few_users(runner):
    result = runner.invoke(args=["seed-demo", "--users", "1"])
    assert result.exit_code != 0
    assert "--users" in result.output


def test_seed_demo_if_empty_on_sqlite_as_make_run_does(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}", REDIS_URL=None)
    with app.app_context():
        _db.create_all()
        runner = app.test_cli_runner()
        result = runner.invoke(
            args=["seed-demo", "--if-empty", "--users", "60", "--sessions", "90"]
        )
        assert result.exit_code == 0, result.output
        assert _count(User) == 60
        assert _count(MentorSession) == 90
        assert _count(Review) > 0
        assert read_totals()["total_sessions"] == 90
        again = runner.invoke(args=["seed-demo", "--if-empty"])
        assert "already has users" in again.output
        assert _count(User) == 60
        body = app.test_client().get("/api/v1/stats/platform").get_json()
        assert body["total_users"] == 60 and body["total_sessions"] == 90
        _db.session.remove()


def test_seed_demo_creates_the_documented_demo_accounts_once(runner, client):
    first = runner.invoke(args=["seed-demo", "--users", "30", "--sessions", "20"])
    assert first.exit_code == 0, first.output
    for n in (1, 2, 3):
        for role in ("mentor", "student"):
            email = f"{role}{n}@demo.mentorhub.test"
            assert re.search(rf"{re.escape(email)}\s+id \d+\s+{role}", first.output), first.output
            assert AuthActions(client).login(email, "mentorhub-demo").status_code == 200
    # They start with no sessions, so examples can book them at any time.
    demo = _count(
        MentorSession,
        (MentorSession.mentor_id == User.id) | (MentorSession.student_id == User.id),
        User.email.like("%@demo.mentorhub.test"),
    )
    assert demo == 0
    again = runner.invoke(args=["seed-demo", "--users", "30", "--sessions", "20"])
    assert again.exit_code == 0, again.output
    assert _count(User) == 60
    assert _count(User, User.email.like("%@demo.mentorhub.test")) == 6
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "mentor1@demo.mentorhub.test" in skipped.output


def test_seed_demo_with_two_users_makes_one_demo_mentor_and_one_demo_student(runner):
    result = runner.invoke(args=["seed-demo", "--users", "2", "--sessions", "3"])
    assert result.exit_code == 0, result.output
    assert "mentor1@demo.mentorhub.test" in result.output
    assert "student1@demo.mentorhub.test" in result.output
    assert _count(MentorSession) == 3
