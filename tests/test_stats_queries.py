"""Stats SQL at scale: a small fixed number of statements per endpoint, each served by an index.

Statements are counted with SQLAlchemy's `before_cursor_execute` event. The EXPLAIN check seeds
enough rows (and ANALYZEs them) that PostgreSQL's planner has a real choice, then explains every
statement the stats endpoints actually ran and fails on a sequential scan of a big table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import insert, select

from mentorhub.auth import issue_tokens
from mentorhub.extensions import db as _db
from mentorhub.models import MentorSession, User, utcnow
from mentorhub.services.cache import cache_service
from tests.support.sql_events import recorded_statements

PLATFORM = "/api/v1/stats/platform"
USER = "/api/v1/stats/user"
DASHBOARD = "/api/v1/stats/dashboard"
BIG_TABLES = {"users", "mentor_sessions", "enrollments", "reviews", "courses"}


def grow(users: int, sessions: int, mentor: User, student: User) -> None:
    """Add rows in bulk, many of them the mentor's and the student's own."""
    start = _db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0
    _db.session.execute(
        insert(User),
        [
            {"email": f"grow{start + i}@example.com", "name": "G", "password_hash": "x"}
            for i in range(users)
        ],
    )
    _db.session.execute(
        insert(MentorSession),
        [
            {
                "mentor_id": mentor.id,
                "student_id": student.id,
                "topic": "Scale",
                "scheduled_time": utcnow() + timedelta(hours=i - sessions // 2),
                "status": ("scheduled", "completed", "cancelled")[i % 3],
            }
            for i in range(sessions)
        ],
    )
    _db.session.commit()


def statement_counts(client, headers_for) -> dict[str, int]:
    """Statements per request for each endpoint; the platform one cold and warm."""
    counts = {}
    cache_service.clear()
    # The first signed-in request of a process may bring the token revocations into Redis.
    assert client.get(USER, headers=headers_for("student")).status_code == 200
    requests = [
        ("platform-cold", PLATFORM, {}),
        ("platform-warm", PLATFORM, {}),
        ("user-mentor", USER, headers_for("mentor")),
        ("user-student", USER, headers_for("student")),
        ("dashboard-mentor", DASHBOARD, headers_for("mentor")),
        ("dashboard-student", DASHBOARD, headers_for("student")),
    ]
    for name, path, headers in requests:
        _db.session.remove()  # a fresh session, as every real request gets
        with recorded_statements(current_app) as statements:
            assert client.get(path, headers=headers).status_code == 200
        counts[name] = len(statements)
    return counts


def login_headers(user: User) -> dict[str, str]:
    """Bearer headers with an access token as login issues it (id and role claims)."""
    return {"Authorization": f"Bearer {issue_tokens(user)['access_token']}"}


def test_each_stats_endpoint_runs_a_small_fixed_number_of_statements(client, mentor, student):
    tokens = {"mentor": login_headers(mentor), "student": login_headers(student)}

    def headers_for(role):
        return tokens[role]

    small = statement_counts(client, headers_for)
    grow(3000, 6000, mentor, student)
    large = statement_counts(client, headers_for)
    assert small == large
    # Platform: one read of the counters, then nothing while cached. User: the caller's row and
    # one stats statement. Dashboard: id and role come from the token, so only its statement.
    assert small == {
        "platform-cold": 1,
        "platform-warm": 0,
        "user-mentor": 2,
        "user-student": 2,
        "dashboard-mentor": 1,
        "dashboard-student": 1,
    }


def _plan_nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.fixture
def seeded(runner, db):
    """30,000 users and 60,000 sessions with courses, enrollments and reviews, analyzed."""
    result = runner.invoke(args=["seed-demo", "--users", "30000", "--sessions", "60000"])
    assert result.exit_code == 0, result.output
    mentor = db.session.scalar(select(User).where(User.is_mentor.is_(True)).limit(1))
    student = db.session.scalar(select(User).where(User.is_mentor.is_(False)).limit(1))
    return mentor, student


def test_every_stats_query_uses_indexes_on_the_big_tables(client, seeded, db):
    requests = [(PLATFORM, {})]
    for user in seeded:
        requests += [(USER, login_headers(user)), (DASHBOARD, login_headers(user))]
    cache_service.clear()
    with recorded_statements(current_app) as statements:
        for path, headers in requests:
            db.session.remove()  # a fresh session, as every real request gets
            assert client.get(path, headers=headers).status_code == 200
    selects = [(sql, params) for sql, params in statements if sql.lstrip().startswith("SELECT")]
    # At least the platform counters, and per user the row, its stats and its dashboard (the
    # statement counts themselves are the test above).
    assert len(selects) >= 7

    connection = db.session.connection()
    indexed_tables = set()
    for sql, params in selects:
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar()
        nodes = list(_plan_nodes(plan[0]["Plan"]))
        scanned = {n.get("Relation Name") for n in nodes if n["Node Type"] == "Seq Scan"}
        assert not scanned & BIG_TABLES, f"sequential scan of {scanned & BIG_TABLES} in:\n{sql}"
        indexed_tables |= {
            n.get("Relation Name")
            for n in nodes
            if n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")
        }
    # The per-user statements reach every big table they read through an index.
    assert {"users", "mentor_sessions", "enrollments", "reviews"} <= indexed_tables
