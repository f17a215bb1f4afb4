"""Two operations on one session at the same moment: a 2xx or a clear 409, never a 5xx.

Each pair is released together by a barrier, from two threads with their own test clients, so
both requests hold real PostgreSQL transactions and row locks at the same time.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import func, select

from mentorhub.extensions import db as _db
from mentorhub.models import MentorSession, Notification, Payment, Review
from tests.support.booking import SESSIONS
from tests.support.concurrency import race
from tests.support.payments import WEBHOOK_SECRET, payment_event, post_webhook
from tests.support.run_resources import TEST_DATABASE
from tests.support.waiting import wait_until

OPERATIONS = ("cancel", "reschedule", "complete", "review", "payment")
ALLOWED = {200, 201, 409}


@pytest.fixture
def world(app, make_user, auth_headers) -> dict:
    """A mentor, a student, their bearer headers, and the webhook secret configured."""
    app.config["PAYMENT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    mentor = make_user("mentor@example.com", is_mentor=True)
    student = make_user("student@example.com")
    return {
        "mentor_id": mentor.id,
        "student_id": student.id,
        "mentor": auth_headers(mentor),
        "student": auth_headers(student),
    }


def _new_session(world: dict, status: str) -> int:
    """A session that started 30 minutes ago (so it can be completed), in `status`."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    session = MentorSession(
        mentor_id=world["mentor_id"],
        student_id=world["student_id"],
        topic="Concurrency",
        scheduled_time=start,
        duration_minutes=60,
        status=status,
        meeting_link="https://meet.example.com/room",
    )
    _db.session.add(session)
    _db.session.commit()
    return session.id


def _operation(name: str, world: dict, session_id: int, n: int) -> Callable:
    """The request for operation `name` on `session_id`, as a function of a test client."""
    later = (datetime.now(UTC) + timedelta(days=2, hours=n)).replace(microsecond=0)
    event = payment_event(session_id, f"evt_{session_id}_{n}", payer_email="payer@example.com")
    requests = {
        "cancel": lambda c: c.post(
            f"{SESSIONS}/{session_id}/cancel", json={"reason": "race"}, headers=world["student"]
        ),
        "reschedule": lambda c: c.post(
            f"{SESSIONS}/{session_id}/reschedule",
            json={"scheduled_time": later.isoformat()},
            headers=world["student"],
        ),
        "complete": lambda c: c.post(f"{SESSIONS}/{session_id}/complete", headers=world["mentor"]),
        "review": lambda c: c.post(
            f"{SESSIONS}/{session_id}/review", json={"rating": 5}, headers=world["student"]
        ),
        "payment": lambda c: post_webhook(c, event),
    }
    return requests[name]


def _check_consistent(session_id: int, outcome: dict[str, list[int]]) -> None:
    """The session's final state agrees with the answers the clients got."""
    _db.session.expire_all()
    session = _db.session.get(MentorSession, session_id)
    ok = {name: [s for s in statuses if s in (200, 201)] for name, statuses in outcome.items()}
    reviews = _db.session.scalar(select(func.count()).where(Review.session_id == session_id))
    payments = _db.session.scalar(select(func.count()).where(Payment.session_id == session_id))
    assert len(ok.get("cancel", [])) + len(ok.get("complete", [])) <= 1
    if ok.get("cancel"):
        assert session.status == "cancelled"
    if ok.get("complete"):
        assert session.status == "completed"
    assert reviews == len(ok.get("review", []))
    assert reviews <= 1 and (reviews == 0 or session.status == "completed")
    assert payments == len(ok.get("payment", []))


def test_forty_cancel_reschedule_pairs_never_5xx(app, world):
    statuses = []
    for n in range(40):
        session_id = _new_session(world, "scheduled")
        names = ["cancel", "reschedule"]
        requests = [_operation(name, world, session_id, n) for name in names]
        results = race(app, requests)
        statuses += [status for status, _ in results]
        assert all(status in ALLOWED for status, _ in results), (n, results)
        outcome = {name: [status] for name, (status, _) in zip(names, results, strict=True)}
        _check_consistent(session_id, outcome)
        if outcome["cancel"] == [200]:
            # The cancellation was recorded together with its notifications.
            _db.session.expire_all()
            notified = select(func.count()).where(Notification.type == "session_cancelled")
            assert _db.session.scalar(notified) >= 1
    assert statuses.count(200) >= 40  # every cancel succeeded, before or after its reschedule


@pytest.mark.parametrize(
    "pair", list(itertools.combinations_with_replacement(OPERATIONS, 2)), ids="+".join
)
def test_every_pair_of_operations_is_2xx_or_409(app, world, pair):
    # Reviews need a completed session, except when racing the completion itself.
    status = "completed" if "review" in pair and "complete" not in pair else "scheduled"
    for n in range(2):
        session_id = _new_session(world, status)
        requests = [_operation(name, world, session_id, n * 2 + i) for i, name in enumerate(pair)]
        results = race(app, requests)
        assert all(code in ALLOWED for code, _ in results), (pair, results)
        for code, body in results:
            if code == 409:
                assert body["status_code"] == 409 and body["message"]
        outcome: dict[str, list[int]] = {}
        for name, (code, _) in zip(pair, results, strict=True):
            outcome.setdefault(name, []).append(code)
        _check_consistent(session_id, outcome)


def test_a_deadlock_victim_is_run_again_not_answered_500(app, world, caplog):
    session_id = _new_session(world, "scheduled")
    intruder = psycopg.connect(TEST_DATABASE.url)
    # The intruder takes the locks in the opposite order, and is slow to detect the deadlock,
    # so the request (which waits first) is the transaction PostgreSQL aborts.
    intruder.execute("SET deadlock_timeout = '30s'")
    intruder.execute("SELECT id FROM mentor_sessions WHERE id = %s FOR UPDATE", (session_id,))
    results: list = []
    cancel = _operation("cancel", world, session_id, 0)
    request = threading.Thread(target=lambda: results.extend(race(app, [cancel])))
    with caplog.at_level(logging.INFO, logger="mentorhub.services.transactions"):
        request.start()
        _wait_until_a_backend_waits_on_a_lock()
        user_ids = (world["mentor_id"], world["student_id"])
        intruder.execute("SELECT id FROM users WHERE id = ANY(%s) FOR UPDATE", (list(user_ids),))
        intruder.commit()
        request.join(timeout=60)
    intruder.close()
    assert results and results[0][0] == 200, results
    assert "cancel_session lost a lock race (attempt 1)" in caplog.text
    _db.session.expire_all()
    assert _db.session.get(MentorSession, session_id).status == "cancelled"


def _wait_until_a_backend_waits_on_a_lock() -> None:
    waiting = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    wait_until(
        lambda: TEST_DATABASE.execute(waiting)[0][0],
        30,
        "the request to wait on the session lock",
        step=0.02,
    )
