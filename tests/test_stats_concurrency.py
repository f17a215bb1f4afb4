"""Exact platform totals under concurrency on PostgreSQL, and a recount that blocks nobody.

Registrations go through the HTTP API; bookings, cancellations, deletions and role changes go
through the ORM, each in its own thread, transaction and pooled connection, with deliberate
races (the same session deleted twice, the same user promoted and demoted at once). The
recount runs in a real worker process while requests carry on.
"""

from __future__ import annotations

import random
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import delete, func, insert, literal, select, text

from mentorhub.extensions import db, rq
from mentorhub.jobs.stats import recount_platform_counters
from mentorhub.models import MentorSession, PlatformCounter, User, utcnow
from mentorhub.stats.counters import RECOUNT_JOB_ID, RECOUNT_QUEUE, read_totals
from mentorhub.stats.recount_lock import RECOUNT_LOCK_KEY
from tests.support.auth import AuthActions
from tests.support.booking import book
from tests.support.environ import process_environ
from tests.support.run_resources import TEST_DATABASE
from tests.support.servers import ROOT, flask_command


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
        AuthActions(app.test_client()).sign_up(
            f"new{index}@example.com", "long-enough", "New", is_mentor=index % 3 == 0
        )
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


PLATFORM = "/api/v1/stats/platform"


def _raw_sql(statement: str, *params) -> list:
    """Run SQL on a connection of its own (not the app's Session: nothing counts it)."""
    return TEST_DATABASE.execute(statement, params=params)


def _mark_stale_with_hidden_rows(users: int, sessions: int) -> None:
    """Add rows on a Core connection (no Session: nothing counts them), then flag the counters."""
    series = func.generate_series(1, users).table_valued("g").render_derived(name="series")
    number = series.c.g
    rows = select(
        func.concat("bulk", number, "@example.com"), literal("Bulk"), literal("x"), number % 4 == 0
    ).select_from(series)
    with db.engine.begin() as conn:
        conn.execute(
            insert(User.__table__).from_select(
                ["email", "name", "password_hash", "is_mentor"], rows
            )
        )
        mentor_id, student_id = conn.execute(
            select(User.id)
            .where(User.email.in_(["bulk4@example.com", "bulk1@example.com"]))
            .order_by(User.is_mentor.desc())
        ).scalars()
        times = func.generate_series(1, sessions).table_valued("g").render_derived(name="times")
        conn.execute(
            insert(MentorSession.__table__).from_select(
                ["mentor_id", "student_id", "topic", "scheduled_time", "status"],
                select(
                    literal(mentor_id),
                    literal(student_id),
                    literal("Bulk"),
                    func.now() + text("interval '400 days'"),
                    literal("cancelled"),
                ).select_from(times),
            )
        )
    _raw_sql(
        "INSERT INTO platform_counters (shard, users, mentors, sessions, stale) "
        "SELECT g, 0, 0, 0, false FROM generate_series(0, 15) g ON CONFLICT DO NOTHING"
    )
    _raw_sql("UPDATE platform_counters SET stale = true WHERE shard = 0")


def test_a_request_never_recounts_and_one_recount_runs_at_a_time(app, client, make_user):
    make_user("m@example.com", is_mentor=True)
    _mark_stale_with_hidden_rows(users=50, sessions=10)
    first = client.get(PLATFORM).get_json()
    assert first["total_users"] == 1  # the last known totals, not a recount in the request
    assert RECOUNT_JOB_ID in rq.get_queue(RECOUNT_QUEUE).job_ids

    # While another recount holds the lock, the job steps aside and changes nothing.
    with psycopg.connect(TEST_DATABASE.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (RECOUNT_LOCK_KEY,))
        assert recount_platform_counters() is None
        db.session.expire_all()
        assert db.session.scalar(select(func.bool_or(PlatformCounter.stale))) is True
    assert recount_platform_counters() == 50 + 12 + 10  # users, mentors, sessions corrected
    db.session.expire_all()
    assert read_totals() == _table_totals()


@pytest.mark.slow
def test_writes_and_reads_carry_on_while_a_worker_recounts_a_large_table(
    app, client, make_user, auth_headers
):
    mentor = make_user("m@example.com", is_mentor=True)
    student = make_user("s@example.com")
    mentor_id, headers = mentor.id, auth_headers(student)
    _mark_stale_with_hidden_rows(users=250_000, sessions=100_000)
    assert client.get(PLATFORM).status_code == 200  # enqueues the recount
    assert RECOUNT_JOB_ID in rq.get_queue(RECOUNT_QUEUE).job_ids
    db.session.remove()

    # libpq names the worker's connections, so the watcher can tell them from the app's.
    environ = process_environ(MENTORHUB_ENV=None, PGAPPNAME=RECOUNTER)
    command = flask_command("worker", "--burst", "--no-scheduler", "--no-sweep")
    command.append(RECOUNT_QUEUE)  # a worker of its own, not busy with the booking mails
    worker = subprocess.Popen(command, cwd=ROOT, env=environ, stderr=subprocess.PIPE, text=True)
    in_flight = Counter()
    guard = threading.Lock()
    seen = Counter()
    done, finished = threading.Event(), threading.Event()

    def watch() -> None:
        # Sample the database: is the recount running, is a request in flight meanwhile, and
        # is any backend waiting on a lock the worker holds?
        with psycopg.connect(TEST_DATABASE.url, autocommit=True) as conn:
            while not done.is_set():
                running, blocked = conn.execute(WATCH_SQL, (RECOUNTER, RECOUNTER)).fetchone()
                busy = in_flight["requests"] > 0
                seen.update(running=running, overlap=running and busy, blocked=blocked)
                if seen["running"] and not running:
                    finished.set()  # the recount is over: the clients may stop

    watcher = threading.Thread(target=watch)
    watcher.start()
    latencies: list[tuple[float, int]] = []

    def client_loop(offset: int) -> None:
        # Three clients at once, so writes keep arriving during the whole recount.
        local = app.test_client()
        for n in range(offset, 3000, 3):
            if worker.poll() is not None or finished.is_set():
                return
            started = time.monotonic()
            with guard:
                in_flight["requests"] += 1
            status = _one_write_or_read(local, n, mentor_id, headers)
            with guard:
                in_flight["requests"] -= 1
            latencies.append((time.monotonic() - started, status))

    try:
        clients = [threading.Thread(target=client_loop, args=(i,)) for i in range(3)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    finally:
        worker.wait(timeout=120)
        done.set()
        watcher.join()
    stderr = worker.stderr.read()
    assert worker.returncode == 0, stderr
    assert "platform counters recounted" in stderr
    assert seen["running"], "the recount was never seen running"
    assert seen["overlap"], "no request was in flight while the recount ran"
    assert seen["blocked"] == 0  # nobody ever waited on the recount
    assert {status for _, status in latencies} <= {200, 201}
    assert max(latency for latency, _ in latencies) < 10.0  # generous: a loaded 2-core machine
    assert read_totals() == _table_totals()


RECOUNTER = "mentorhub-recount-worker"
WATCH_SQL = """
SELECT
  EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = %s),
  (SELECT count(*) FROM pg_stat_activity w
   WHERE w.datname = current_database() AND EXISTS (
     SELECT 1 FROM pg_stat_activity b
     WHERE b.pid = ANY (pg_blocking_pids(w.pid)) AND b.application_name = %s))
"""


def _one_write_or_read(client, n: int, mentor_id: int, headers: dict) -> int:
    """Alternately register, book a slot, and read the platform stats; the status."""
    kind = n % 3
    if kind == 0:
        return AuthActions(client).register(f"new{n}@example.com", name="New").status_code
    if kind == 1:
        start = (utcnow() + timedelta(days=1, hours=n)).replace(microsecond=0)
        return book(
            client, headers, mentor_id, start, topic="Recount", duration_minutes=30
        ).status_code
    return client.get(PLATFORM).status_code
