"""`flask seed-demo`: realistic demo data, inserted in bulk."""

from __future__ import annotations

import random
from datetime import timedelta

import click
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from mentorhub.extensions import db
from mentorhub.models import Course, Enrollment, MentorSession, Review, User, utcnow

DEMO_PASSWORD = "mentorhub-demo"
TOPICS = ["React Hooks", "System Design", "SQL Tuning", "Career Growth", "Python Testing", "Rust"]
BATCH = 5000


def _batches(total: int, size: int = BATCH):
    for start in range(0, total, size):
        yield start, min(size, total - start)


def _seed_users(users: int, mentor_share: float, run: str) -> tuple[list[int], list[int]]:
    # One hash for every demo account: hashing a million passwords would take hours.
    password_hash = generate_password_hash(DEMO_PASSWORD)
    now = utcnow()
    with click.progressbar(length=users, label="users") as bar:
        for start, size in _batches(users):
            rows = [
                {
                    "email": f"demo{run}-{start + i}@example.com",
                    "name": f"Demo User {start + i}",
                    "password_hash": password_hash,
                    "is_mentor": (start + i) % int(1 / mentor_share) == 0,
                    "created_at": now - timedelta(minutes=start + i),
                }
                for i in range(size)
            ]
            db.session.execute(insert(User), rows)
            bar.update(size)
    db.session.commit()
    ids = db.session.execute(
        select(User.id, User.is_mentor).where(User.email.like(f"demo{run}-%"))
    ).all()
    mentors = [row.id for row in ids if row.is_mentor]
    students = [row.id for row in ids if not row.is_mentor]
    return mentors, students


def _seed_sessions(sessions: int, mentors: list[int], students: list[int]) -> None:
    now = utcnow()
    rng = random.Random(42)
    with click.progressbar(length=sessions, label="sessions") as bar:
        for start, size in _batches(sessions):
            rows = []
            for i in range(size):
                offset = timedelta(hours=rng.randint(-2000, 2000), minutes=(start + i) % 60)
                when = now + offset
                status = "scheduled" if when > now else rng.choice(["completed", "cancelled"])
                rows.append(
                    {
                        "mentor_id": rng.choice(mentors),
                        "student_id": rng.choice(students),
                        "topic": rng.choice(TOPICS),
                        "scheduled_time": when,
                        "duration_minutes": 60,
                        "status": status,
                        "meeting_link": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            db.session.execute(insert(MentorSession), rows)
            bar.update(size)
    db.session.commit()


def _seed_courses_and_reviews(mentors: list[int], students: list[int]) -> None:
    rng = random.Random(7)
    courses = [
        {"mentor_id": m, "title": f"{rng.choice(TOPICS)} in practice", "description": ""}
        for m in mentors[:50]
    ]
    if courses:
        db.session.execute(insert(Course), courses)
    course_ids = db.session.scalars(select(Course.id).limit(50)).all()
    enrollments = {
        (s, c): rng.choice(["in_progress", "completed"])
        for s in students[:500]
        for c in rng.sample(course_ids, min(2, len(course_ids)))
    }
    if enrollments:
        db.session.execute(
            insert(Enrollment),
            [{"student_id": s, "course_id": c, "status": st} for (s, c), st in enrollments.items()],
        )
    completed = db.session.execute(
        select(MentorSession.id, MentorSession.mentor_id, MentorSession.student_id)
        .where(MentorSession.status == "completed")
        .limit(1000)
    ).all()
    reviews = [
        {
            "session_id": s.id,
            "reviewer_id": s.student_id,
            "mentor_id": s.mentor_id,
            "rating": rng.randint(3, 5),
            "comment": "Helpful session.",
        }
        for s in completed
    ]
    if reviews:
        db.session.execute(insert(Review), reviews)
    db.session.commit()


@click.command("seed-demo")
@click.option("--users", default=200, show_default=True, type=click.IntRange(min=2))
@click.option("--sessions", default=500, show_default=True, type=click.IntRange(min=0))
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(users: int, sessions: int, if_empty: bool) -> None:
    """Load demo users, sessions, courses, enrollments and reviews."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Database already has users; not seeding.")
        return
    run = format(random.getrandbits(24), "06x")
    mentors, students = _seed_users(users, mentor_share=0.15, run=run)
    if not mentors or not students:
        raise click.ClickException("need at least one mentor and one student; raise --users")
    _seed_sessions(sessions, mentors, students)
    _seed_courses_and_reviews(mentors, students)
    click.echo(
        f"Seeded {users} users ({len(mentors)} mentors), {sessions} sessions. "
        f"Demo password: {DEMO_PASSWORD}"
    )
