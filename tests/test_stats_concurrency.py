"""Exact platform totals after 1,000 concurrent mixed writes on PostgreSQL.

Registrations go through the HTTP API; bookings, cancellations, deletions and role changes go
through the ORM, each in its own thread, transaction and pooled connection, with deliberate
races (the same session deleted twice, the same user promoted and demoted at once).
"""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select

from mentorhub.extensions import db
from mentorhub.models import MentorSession, PlatformCounter, User, utcnow
from mentorhub.stats.counters import read_totals


def _table_totals() -> dict:
    users = db.session.scalar(select(func.count()).select_from(User))
    mentors = db.session.scalar(select(func.count()).where(User.is_mentor.is_(True)))
    return {
        "total_users": users,
        "total_mentors": mentors,
        "total_students": users - mentors,
        "total_sessions": db.session.scalar(select(func.count()).select_from(MentorSession)),
    }


# A delete that lost its race matches no row: SQLAlchemy warns, and the counters must not move.
@pytest.mark.filterwarnings("ignore:DELETE statement on table:sqlalchemy.exc.SAWarning")
def test_totals_stay_exact_under_1000_concurrent_mixed_writes(app, make_app):
    # `app` empties the tables; this one has a pool big enough for every thread.
    app = make_app(DB_POOL_SIZE="24")
    rng = random.Random(5)
    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {"email": f"base{i}@example.com", "name": "Base", "password_hash": "x"}
                | {"is_mentor": i < 20}
                for i in range(60)
            ],
        )
        db.session.commit()
        mentors = db.session.scalars(select(User.id).where(User.is_mentor.is_(True))).all()
        students = db.session.scalars(select(User.id).where(User.is_mentor.is_(False))).all()
        db.session.execute(
            insert(MentorSession),
            [
                {
                    "mentor_id": rng.choice(mentors),
                    "student_id": rng.choice(students),
                    "topic": "Seed",
                    "scheduled_time": utcnow() + timedelta(days=2),
                }
                for _ in range(300)
            ],
        )
        db.session.commit()
        existing = db.session.scalars(select(MentorSession.id)).all()

    def register(index: int) -> str:
        response = app.test_client().post(
            "/api/v1/auth/register",
            json={
                "email": f"new{index}@example.com",
                "password": "long-enough",
                "name": "New",
                "is_mentor": index % 3 == 0,
            },
        )
        assert response.status_code == 201, response.get_json()
        return "register"

    def book(_index: int) -> str:
        db.session.add(
            MentorSession(
                mentor_id=rng.choice(mentors),
                student_id=rng.choice(students),
                topic="Concurrent",
                scheduled_time=utcnow() + timedelta(hours=rng.randint(1, 500)),
            )
        )
        db.session.commit()
        return "book"

    def delete_one(session_id: int) -> str:
        row = db.session.get(MentorSession, session_id)
        if row is not None:
            db.session.delete(row)
            db.session.commit()
        return "delete"

    def bulk_delete(session_id: int) -> str:
        db.session.execute(delete(MentorSession).where(MentorSession.id == session_id))
        db.session.commit()
        return "bulk-delete"

    def cancel(session_id: int) -> str:
        row = db.session.get(MentorSession, session_id)
        if row is not None:
            row.status = "cancelled"
            db.session.commit()
        return "cancel"

    def set_role(user_id: int, is_mentor: bool) -> str:
        user = db.session.get(User, user_id)
        user.is_mentor = is_mentor
        db.session.commit()
        return "role"

    doomed = existing[:100]
    ops = [(register, i) for i in range(150)]
    ops += [(book, i) for i in range(400)]
    ops += [(delete_one, sid) for sid in doomed]
    ops += [(delete_one, sid) for sid in doomed[:50]]  # racing the deletes above
    ops += [(bulk_delete, sid) for sid in doomed[50:100]]  # racing them in bulk
    ops += [(cancel, sid) for sid in existing[150:250]]
    ops += [(set_role, (rng.choice(students), i % 2 == 0)) for i in range(150)]
    rng.shuffle(ops)
    assert len(ops) == 1000

    def run(op) -> str:
        func_, argument = op
        with app.app_context():
            try:
                return func_(*argument) if isinstance(argument, tuple) else func_(argument)
            except Exception as error:  # noqa: BLE001 - a lost race rolls back; recorded below
                db.session.rollback()
                return f"failed:{type(error).__name__}"

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = Counter(pool.map(run, ops))
    failures = {k: v for k, v in outcomes.items() if k.startswith("failed")}
    # Only lost races may fail (a row deleted under our feet); everything else must land.
    assert sum(failures.values()) <= 100, outcomes
    assert outcomes["register"] == 150 and outcomes["book"] == 400

    with app.app_context():
        shards = db.session.scalars(select(PlatformCounter.shard)).all()
        assert len(shards) > 1  # the writes spread over several counter rows
        assert not any(db.session.scalars(select(PlatformCounter.stale)))
        expected = _table_totals()
        assert read_totals() == expected
        assert expected["total_users"] == 60 + 150
        assert expected["total_sessions"] == 300 + 400 - 100
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert "No drift" in result.output, result.output
