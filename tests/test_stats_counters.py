"""Platform counters follow every kind of ORM write, and `flask stats rebuild` corrects drift."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from mentorhub.extensions import db as _db
from mentorhub.extensions import rq
from mentorhub.models import MentorSession, PlatformCounter, User, utcnow
from mentorhub.stats.counters import RECOUNT_JOB_ID, RECOUNT_QUEUE, read_totals
from mentorhub.stats.tracking import EXTENSION_KEY
from tests.support.servers import ROOT
from tests.support.workers import run_burst

PLATFORM = "/api/v1/stats/platform"


def raw_counters() -> dict:
    """The counter rows' sums as stored, without the recount a stale flag triggers."""
    row = _db.session.execute(
        select(
            func.coalesce(func.sum(PlatformCounter.users), 0),
            func.coalesce(func.sum(PlatformCounter.mentors), 0),
            func.coalesce(func.sum(PlatformCounter.sessions), 0),
            func.coalesce(func.max(PlatformCounter.stale.cast(_db.Integer)), 0),
        )
    ).one()
    return dict(zip(("users", "mentors", "sessions", "stale"), map(int, row), strict=True))


def run_worker_burst(app) -> None:
    """Run the real RQ worker (`flask worker --burst`) until the queues are empty."""
    run_burst(app, "--no-scheduler", "--no-sweep")


def table_counts() -> dict:
    return {
        "users": _db.session.scalar(select(func.count()).select_from(User)),
        "mentors": _db.session.scalar(select(func.count()).where(User.is_mentor.is_(True))),
        "sessions": _db.session.scalar(select(func.count()).select_from(MentorSession)),
        "stale": 0,
    }


def user_rows(count: int, prefix: str, mentors_every: int = 2) -> list[dict]:
    return [
        {
            "email": f"{prefix}{i}@example.com",
            "name": "Bulk",
            "password_hash": "x",
            "is_mentor": i % mentors_every == 0,
        }
        for i in range(count)
    ]


def book(mentor_id: int, student_id: int) -> MentorSession:
    row = MentorSession(
        mentor_id=mentor_id,
        student_id=student_id,
        topic="Rust",
        scheduled_time=utcnow() + timedelta(days=1),
    )
    _db.session.add(row)
    return row


def test_unit_of_work_inserts_deletes_and_role_changes_are_counted(db, make_user):
    mentor = make_user("m@example.com", is_mentor=True)
    student = make_user("s@example.com")
    sessions = [book(mentor.id, student.id) for _ in range(3)]
    db.session.commit()
    assert raw_counters() == {"users": 2, "mentors": 1, "sessions": 3, "stale": 0}

    db.session.delete(sessions[0])
    student.is_mentor = True
    db.session.commit()
    assert raw_counters() == {"users": 2, "mentors": 2, "sessions": 2, "stale": 0}

    # Changing the flag on an expired instance: the old value comes from the locked row.
    db.session.expire(student)
    student.is_mentor = False
    db.session.commit()
    assert raw_counters() == table_counts()


def test_rolled_back_and_failed_writes_leave_the_counters_alone(db, auth, make_user):
    make_user("taken@example.com")
    before = raw_counters()
    assert auth.register("TAKEN@example.com", "long-enough", "Dup").status_code == 409
    db.session.add(User(email="flushed@example.com", name="F", password_hash="x"))
    db.session.flush()
    db.session.rollback()
    assert raw_counters() == before == table_counts()


def test_bulk_inserts_are_counted_from_their_parameters(db, make_user):
    db.session.execute(insert(User), user_rows(10, "bulk", mentors_every=5))
    db.session.commit()
    ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    db.session.execute(
        insert(MentorSession),
        [
            {
                "mentor_id": ids[0],
                "student_id": ids[1],
                "topic": "Go",
                "scheduled_time": utcnow(),
            }
        ]
        * 7,
    )
    db.session.commit()
    assert raw_counters() == {"users": 10, "mentors": 2, "sessions": 7, "stale": 0}


def test_bulk_session_deletes_are_counted_from_their_row_count(db, make_user):
    mentor = make_user("m@example.com", is_mentor=True)
    student = make_user("s@example.com")
    for _ in range(5):
        book(mentor.id, student.id)
    db.session.commit()
    db.session.execute(delete(MentorSession).where(MentorSession.id <= 3))
    db.session.execute(delete(MentorSession).where(MentorSession.id <= 3))  # matches nothing now
    db.session.commit()
    assert raw_counters() == {"users": 2, "mentors": 1, "sessions": 2, "stale": 0}


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: update(User).values(is_mentor=True), id="bulk-update-users"),
        pytest.param(lambda: delete(User).where(User.is_mentor.is_(False)), id="bulk-delete-users"),
        pytest.param(
            lambda: insert(User).from_select(
                ["email", "name", "password_hash", "is_mentor"],
                select(
                    func.concat("copy-", User.email), User.name, User.password_hash, User.is_mentor
                ),
            ),
            id="insert-from-select",
        ),
    ],
)
def test_writes_the_counters_cannot_follow_mark_them_stale_then_recount(app, db, make_user, write):
    mentor = make_user("m@example.com", is_mentor=True)
    student = make_user("s@example.com")
    book(mentor.id, student.id)
    db.session.commit()
    db.session.execute(write())
    db.session.commit()
    assert raw_counters()["stale"] == 1
    before = raw_counters()
    # A read answers from the counters as they are and leaves the recount to a worker.
    totals = read_totals()
    assert totals["total_users"] == before["users"]
    assert totals["total_mentors"] == before["mentors"]
    assert raw_counters()["stale"] == 1
    assert RECOUNT_JOB_ID in rq.get_queue(RECOUNT_QUEUE).job_ids
    read_totals()  # asking again while the job waits adds no second job
    assert rq.get_queue(RECOUNT_QUEUE).job_ids.count(RECOUNT_JOB_ID) == 1
    assert (
        "stale: a recount is pending" in app.test_cli_runner().invoke(args=["stats", "show"]).output
    )

    run_worker_burst(app)
    expected = table_counts()
    assert read_totals() == {
        "total_users": expected["users"],
        "total_mentors": expected["mentors"],
        "total_students": expected["users"] - expected["mentors"],
        "total_sessions": expected["sessions"],
    }
    assert raw_counters() == expected  # the recount cleared the flag


def test_deleting_a_user_counts_the_sessions_the_database_cascades(app, db, make_user):
    mentor = make_user("m@example.com", is_mentor=True)
    student = make_user("s@example.com")
    for _ in range(4):
        book(mentor.id, student.id)
    db.session.commit()
    db.session.delete(mentor)
    db.session.commit()
    assert read_totals()["total_users"] == 1  # counted exactly at once
    run_worker_burst(app)  # the cascaded sessions need the background recount
    assert read_totals()["total_sessions"] == 0
    assert raw_counters() == {"users": 1, "mentors": 0, "sessions": 0, "stale": 0}


def test_stats_rebuild_reports_and_corrects_drift(db, runner, client, make_user):
    make_user("m@example.com", is_mentor=True)
    make_user("s@example.com")
    assert client.get(PLATFORM).get_json()["total_users"] == 2  # now cached
    # Raw SQL bypasses the Session, so nothing counts it.
    db.session.execute(
        text(
            "INSERT INTO users (email, name, password_hash, is_mentor, created_at) VALUES "
            "('raw1@example.com', 'R', 'x', true, now()), "
            "('raw2@example.com', 'R', 'x', false, now())"
        )
    )
    db.session.commit()
    assert raw_counters()["users"] == 2

    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "users: counter said 2, table has 4 (corrected by +2)" in result.output
    assert "mentors: counter said 1, table has 2 (corrected by +1)" in result.output
    assert "sessions: 0 (exact)" in result.output
    assert "Corrected drift in 2 counter(s)." in result.output
    # The rebuild also dropped the cached totals.
    assert client.get(PLATFORM).get_json()["total_users"] == 4

    again = runner.invoke(args=["stats", "rebuild"])
    assert "No drift: the counters matched the tables." in again.output


def test_stats_show_prints_the_counters(runner, make_user):
    make_user("m@example.com", is_mentor=True)
    result = runner.invoke(args=["stats", "show"])
    assert result.exit_code == 0
    assert "total_users: 1" in result.output
    assert "total_mentors: 1" in result.output


def test_counters_work_on_sqlite_too(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'counters.db'}", REDIS_URL=None)
    with app.app_context():
        _db.create_all()
        _db.session.execute(insert(User), user_rows(6, "lite", mentors_every=3))
        _db.session.commit()
        mentor, student = _db.session.scalars(select(User).order_by(User.id).limit(2)).all()
        book(mentor.id, student.id)
        student.is_mentor = True
        _db.session.commit()
        assert read_totals() == {
            "total_users": 6,
            "total_mentors": 3,
            "total_students": 3,
            "total_sessions": 1,
        }
        assert raw_counters()["stale"] == 0
        body = app.test_client().get(PLATFORM).get_json()
        assert body["total_users"] == 6
        _db.session.remove()


def test_importing_attaches_no_listener_and_create_app_attaches_them_once():
    code = (
        "from sqlalchemy import event\n"
        "from mentorhub.extensions import db\n"
        "from mentorhub.stats import tracking\n"
        "from tests.support.environ import app_environ\n"
        "from config import TestingConfig\n"
        "from mentorhub import create_app\n"
        "listener = tracking._count_flushed_changes\n"
        "print(event.contains(db.session, 'after_flush', listener))\n"
        "first = create_app(TestingConfig(app_environ()))\n"
        "create_app(TestingConfig(app_environ()))\n"
        "print(event.contains(db.session, 'after_flush', listener))\n"
        "print(first.extensions[tracking.EXTENSION_KEY])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.split() == ["False", "True", "True"]


def test_an_app_without_tracking_leaves_the_counters_alone(app, db, make_user):
    make_user("counted@example.com")
    assert raw_counters()["users"] == 1
    del app.extensions[EXTENSION_KEY]
    make_user("uncounted@example.com")
    assert raw_counters()["users"] == 1
