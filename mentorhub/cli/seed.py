"""`flask seed-demo`: realistic demo data, loaded in bulk (COPY on PostgreSQL).

A million users and two million sessions load in a few minutes: rows are generated as tuples
and streamed with COPY on PostgreSQL, or inserted in batches of parameter dicts elsewhere
(SQLite, for `make run`). COPY bypasses the ORM, so the platform counters are rebuilt at the end.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash

from mentorhub.cli.bulk import BulkWriter
from mentorhub.extensions import db
from mentorhub.mail.addresses import AddressError, app_mailable
from mentorhub.models import Course, Enrollment, MentorSession, Review, User, utcnow
from mentorhub.models.session import SessionStatus
from mentorhub.services.stats import refresh_platform_stats
from mentorhub.stats.counters import rebuild_counters

DEMO_PASSWORD = "mentorhub-demo"
DEMO_DOMAIN = "demo.mentorhub.test"
# Fixed, documented accounts to sign in with; they start with no sessions, so the README's
# examples can book them at any time. Mentors and students alternate, so even `--users 2` has one
# of each.
DEMO_ACCOUNTS = [
    (f"{role}{n}@{DEMO_DOMAIN}", role == "mentor")
    for n in (1, 2, 3)
    for role in ("mentor", "student")
]
MENTOR_SHARE = 0.15
FIRST = ["Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "Tim"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie"]
TOPICS = ["React Hooks", "System Design", "SQL Tuning", "Career Growth", "Python Testing", "Rust"]


def _users(count: int, run: str, fixed: list[tuple[str, bool]]) -> Iterator[tuple]:
    # One hash for every demo account: hashing a million passwords would take hours.
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    now = utcnow()
    every = round(1 / MENTOR_SHARE)
    fixed = fixed[:count]
    for n, (email, is_mentor) in enumerate(fixed, 1):
        name = f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}"
        yield email, name, password_hash, is_mentor, now
    for i in range(count - len(fixed)):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
        joined = now - timedelta(minutes=i)
        yield f"demo{run}-{i}@example.com", name, password_hash, i % every == 0, joined


def _sessions(count: int, mentors: list[int], students: list[int]) -> Iterator[tuple]:
    rng = random.Random(42)
    now = utcnow().replace(second=0, microsecond=0)
    for _ in range(count):
        when = now + timedelta(minutes=15 * rng.randint(-17_000, 6_000))
        if when > now:
            status = "cancelled" if rng.random() < 0.05 else "scheduled"
        else:
            status = "completed" if rng.random() < 0.8 else "cancelled"
        created = min(when, now) - timedelta(days=3)
        yield (
            rng.choice(mentors),
            rng.choice(students),
            rng.choice(TOPICS),
            when,
            rng.choice((30, 45, 60, 90)),
            status,
            created,
            created,
        )


def _seed_courses_enrollments_reviews(writer: BulkWriter, mentors, students, sessions) -> None:
    rng = random.Random(7)
    courses = [
        (m, f"{rng.choice(TOPICS)} in practice", "") for m in mentors[: max(1, len(mentors) // 20)]
    ]
    writer.write(Course, ["mentor_id", "title", "description"], courses, len(courses), "courses")
    course_ids = db.session.scalars(
        select(Course.id).order_by(Course.id.desc()).limit(len(courses))
    ).all()
    learners = students[: max(1, len(students) // 5)]
    enrollments = (
        (student, course, rng.choice(("in_progress", "completed")))
        for student in learners
        for course in rng.sample(course_ids, min(2, len(course_ids)))
    )
    total = len(learners) * min(2, len(course_ids))
    writer.write(
        Enrollment, ["student_id", "course_id", "status"], enrollments, total, "enrollments"
    )
    completed = db.session.execute(
        select(MentorSession.id, MentorSession.mentor_id, MentorSession.student_id)
        .where(MentorSession.status == SessionStatus.COMPLETED)
        .order_by(MentorSession.id.desc())
        .limit(max(1, sessions // 10))
    ).all()
    reviews = ((s.id, s.student_id, s.mentor_id, rng.randint(3, 5), "Helpful.") for s in completed)
    columns = ["session_id", "reviewer_id", "mentor_id", "rating", "comment"]
    writer.write(Review, columns, reviews, len(completed), "reviews")


@click.command("seed-demo")
@click.option("--users", default=200, show_default=True, type=click.IntRange(min=2))
@click.option("--sessions", default=500, show_default=True, type=click.IntRange(min=0))
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(users: int, sessions: int, if_empty: bool) -> None:
    """Load demo users, sessions, courses, enrollments and reviews."""
    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("Database already has users; not seeding.")
        _list_demo_accounts()
        return
    run = format(random.getrandbits(24), "06x")
    writer = BulkWriter()
    columns = ["email", "name", "password_hash", "is_mentor", "created_at"]
    demo = User.email.like(f"%@{DEMO_DOMAIN}")
    existing = set(db.session.scalars(select(User.email).where(demo)))
    fixed = [account for account in DEMO_ACCOUNTS if account[0] not in existing]
    writer.write(User, columns, _users(users, run, fixed), users, "users")
    mentors, students = _roles(User.email.like(f"demo{run}-%"))
    if not mentors or not students:
        # Too few users for any beyond the fixed accounts: they get the sessions after all.
        mentors, students = _roles(User.email.like(f"demo{run}-%") | demo)
    if not mentors or not students:
        raise click.ClickException("need at least one mentor and one student; raise --users")
    columns = ["mentor_id", "student_id", "topic", "scheduled_time", "duration_minutes"]
    columns += ["status", "created_at", "updated_at"]
    writer.write(
        MentorSession, columns, _sessions(sessions, mentors, students), sessions, "sessions"
    )
    _seed_courses_enrollments_reviews(writer, mentors, students, sessions)
    if writer.copy:
        # Fresh planner statistics, so the stats queries use their indexes straight away.
        db.session.execute(text("ANALYZE"))
    rebuild_counters()
    refresh_platform_stats()
    click.echo(f"Seeded {users} users ({len(mentors)} mentors) and {sessions} sessions.")
    _list_demo_accounts()
    _say_if_demo_accounts_get_no_mail()


def _say_if_demo_accounts_get_no_mail() -> None:
    # Delivery refuses what sign-up would: the fixed accounts are on a domain for testing.
    try:
        app_mailable(DEMO_ACCOUNTS[0][0])
    except AddressError as error:
        click.echo(
            f"Mail to the demo accounts will be refused ({error}): set "
            "ALLOW_TEST_EMAIL_DOMAINS=true where a mail catcher or the log receives it."
        )


def _roles(where) -> tuple[list[int], list[int]]:
    rows = db.session.execute(select(User.id, User.is_mentor).where(where)).all()
    return [r.id for r in rows if r.is_mentor], [r.id for r in rows if not r.is_mentor]


def _list_demo_accounts() -> None:
    rows = db.session.execute(
        select(User.id, User.email, User.is_mentor)
        .where(User.email.like(f"%@{DEMO_DOMAIN}"))
        .order_by(User.id)
    ).all()
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}):")
    for row in rows:
        click.echo(f"  {row.email:<32} id {row.id:<6} {'mentor' if row.is_mentor else 'student'}")
