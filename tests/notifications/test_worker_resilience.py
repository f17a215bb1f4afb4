"""Workers against real faults: Redis killed under load, Redis down at start, a worker SIGKILLed
mid-batch, database backends terminated mid-delivery. Real PostgreSQL, a private redis-server,
`flask worker` processes and aiosmtpd; each test ends on every mail delivered exactly once.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from mentorhub.extensions import db as _db
from mentorhub.models import Notification, utcnow
from mentorhub.services.notifications import notification_service
from tests.support.notifications import FAST, MESSAGE, assert_all_sent_exactly_once, worker_environ
from tests.support.rows import insert_users
from tests.support.run_resources import TEST_DATABASE, TEST_DATABASE_URL
from tests.support.tables import empty_tables
from tests.support.waiting import wait_until
from tests.support.workers import wait_for_workers

OUTAGE_WARNING = "Redis unreachable"


def _make_users(db, count: int) -> list[str]:
    return insert_users([f"user{n}@example.com" for n in range(count)])


def _welcome(db, emails: list[str]) -> None:
    """One notification per transaction, as requests commit them."""
    for address in emails:
        notification_service.send_notification(address, "new_message", MESSAGE)
        db.session.commit()


@pytest.fixture
def redis_app(make_app, smtp, private_redis):
    """The app on a private Redis that the test may kill."""
    application = make_app(
        dict(FAST), REDIS_URL=private_redis.url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port)
    )
    with application.app_context():
        empty_tables()
        yield application
        _db.session.remove()


@pytest.mark.slow
def test_redis_killed_under_load_workers_survive_and_deliver_exactly_once(
    redis_app, smtp, private_redis, start_worker
):
    emails = _make_users(_db, 300)
    smtp.delay = 0.02  # mails take a moment, so the workers are mid-batch when Redis dies
    environ = worker_environ(smtp, REDIS_URL=private_redis.url)
    workers = [start_worker(environ=environ) for _ in range(2)]
    wait_for_workers(private_redis.client(), 2)

    producer = threading.Thread(target=_produce, args=(redis_app, emails, 13.0))
    producer.start()
    time.sleep(2)
    private_redis.kill()  # SIGKILL: its queue and every job in it are gone
    time.sleep(10)
    private_redis.start()
    producer.join(60)

    drained = assert_all_sent_exactly_once(_db, smtp, emails)
    for worker in workers:
        assert worker.process.poll() is None, worker.output()[-3000:]
        # One warning per outage, however many calls met it.
        assert worker.output().count(OUTAGE_WARNING) == 1, worker.output()[-3000:]
    print(f"redis outage: 300 mails, drained {drained:.1f} s after the producer finished")


def _produce(app, emails: list[str], seconds: float) -> None:
    with app.app_context():
        interval = seconds / len(emails)
        started = time.monotonic()
        for n, address in enumerate(emails):
            time.sleep(max(0.0, started + n * interval - time.monotonic()))
            _welcome(_db, [address])
        _db.session.remove()


def test_worker_started_while_redis_is_down_waits_then_delivers(
    redis_app, smtp, private_redis, start_worker
):
    emails = _make_users(_db, 3)
    private_redis.kill()
    _welcome(_db, emails)  # committed; the wake-ups are lost with Redis
    worker = start_worker(environ=worker_environ(smtp, REDIS_URL=private_redis.url))
    wait_until(lambda: OUTAGE_WARNING in worker.output(), 60, "the worker to wait for Redis")
    assert worker.process.poll() is None

    private_redis.start()
    assert_all_sent_exactly_once(_db, smtp, emails)
    assert worker.process.poll() is None
    assert "Redis reachable again" in worker.output()


def test_worker_sigkilled_mid_batch_leaves_no_orphan_and_its_rows_return(
    app, db, smtp, start_worker
):
    emails = _make_users(db, 6)
    smtp.stall_after = 2  # the third mail hangs at RCPT, inside the worker's batch
    worker = start_worker()
    _welcome(db, emails)
    wait_until(smtp.stalled.is_set, what="the worker to be mid-batch")
    killed_at = time.monotonic()
    worker.sigkill()  # the worker alone, not its process group
    # The scheduler is a thread: nothing the worker started survives it.
    wait_until(worker.group_gone, 10, "the worker's process group to end")
    smtp.stall_after = None
    smtp.release.set()

    start_worker()  # its sweep re-opens the dead worker's rows once their lease lapses
    assert_all_sent_exactly_once(db, smtp, emails, timeout=90)
    recovered = time.monotonic() - killed_at
    assert recovered < 30  # lease 2 s + sweep 1 s, plus a worker's start-up
    print(f"worker SIGKILLed mid-batch: 6 mails, all delivered {recovered:.1f} s after the kill")


def test_a_long_batch_keeps_its_claim_while_its_worker_lives(app, db, smtp, start_worker):
    emails = _make_users(db, 4)
    smtp.stall_after = 0  # the first mail hangs for several leases
    start_worker()
    _welcome(db, emails)
    wait_until(smtp.stalled.is_set, what="the first worker to be mid-batch")
    start_worker()  # a second worker sweeps every second, looking for lapsed claims
    deadline = time.monotonic() + 2.5 * FAST["NOTIFICATION_LEASE_SECONDS"]
    while time.monotonic() < deadline:
        db.session.expire_all()
        rows = db.session.scalars(select(Notification)).all()
        db.session.commit()
        assert {r.status for r in rows} == {"sending"}
        assert all(r.claimed_until > utcnow() for r in rows)
        time.sleep(0.5)
    smtp.stall_after = None
    smtp.release.set()
    assert_all_sent_exactly_once(db, smtp, emails)


@pytest.mark.slow
def test_terminated_database_backends_resend_nothing_and_strand_nothing(
    app, db, smtp, start_worker
):
    emails = _make_users(db, 300)
    smtp.delay = 0.01
    url = f"{TEST_DATABASE_URL}?application_name=mh-fault-worker"
    environ = worker_environ(smtp, DATABASE_URL=url)
    for _ in range(2):
        start_worker(environ=environ)
    wait_for_workers(_rq_connection(app), 2)
    stop, terminated = threading.Event(), [0]
    killer = threading.Thread(target=_terminate_backends, args=(stop, terminated))
    killer.start()
    try:
        _welcome(db, emails)
        wait_until(lambda: smtp.count() >= 250, 60, "most mails out under fire")
    finally:
        stop.set()
        killer.join(10)
    assert terminated[0] > 0
    drained = assert_all_sent_exactly_once(db, smtp, emails, timeout=90)
    print(
        f"db backends terminated {terminated[0]} times: 300 mails, "
        f"0 duplicates, 0 stranded, drained {drained:.1f} s after the last kill"
    )


def _rq_connection(app):
    from mentorhub.notifications.job_queue import notification_queue

    return notification_queue().connection


def _terminate_backends(stop: threading.Event, count: list) -> None:
    while not stop.wait(0.2):
        count[0] += TEST_DATABASE.terminate(["mh-fault-worker"])
