"""Nothing lost, nothing sent twice: SMTP outage, Redis outage, and a worker killed mid-batch."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import select

from mentorhub.models import Notification
from mentorhub.notifications.service import notification_service
from tests.notifications.support import FAST, reset_tables, wait_until, worker_environ


def _rows(db) -> list[Notification]:
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    db.session.commit()
    return rows


def _queue_welcomes(db, make_user, count: int) -> list[str]:
    emails = []
    for n in range(count):
        user = make_user(f"user{n}@example.com", name=f"User {n}")
        notification_service.send_notification(user.email, "welcome", {"name": user.name})
        emails.append(user.email)
    db.session.commit()
    return emails


def _assert_each_exactly_once(smtp, emails: list[str]) -> None:
    # Let any straggler (a duplicate would be one) arrive before counting.
    time.sleep(3)
    received = Counter(m["To"] for m in smtp.messages)
    assert received == Counter(emails)
    message_ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(message_ids)) == len(message_ids)


def test_smtp_outage_retries_then_delivers_each_exactly_once(
    app, db, make_user, smtp, start_worker
):
    smtp.stop()
    emails = _queue_welcomes(db, make_user, 3)
    worker = start_worker()

    # Connections are refused: every row records failed attempts and stays pending.
    wait_until(
        lambda: all(r.attempts >= 2 and r.status == "pending" for r in _rows(db)),
        what="retries while SMTP is down",
    )
    assert "ConnectionRefusedError" in _rows(db)[0].last_error
    assert smtp.count() == 0

    smtp.start()
    smtp.wait_for(3)
    _assert_each_exactly_once(smtp, emails)
    assert {r.status for r in _rows(db)} == {"sent"}
    assert "retrying" in worker.output()


def test_failed_after_max_attempts_then_retry_failed_delivers(
    app, db, make_user, smtp, start_worker, runner
):
    smtp.stop()
    emails = _queue_welcomes(db, make_user, 2)
    start_worker(environ=worker_environ(smtp, NOTIFICATION_MAX_ATTEMPTS="2"))
    wait_until(lambda: {r.status for r in _rows(db)} == {"failed"}, what="rows failed")
    assert [r.attempts for r in _rows(db)] == [2, 2]

    smtp.start()
    time.sleep(2)
    assert smtp.count() == 0  # failed rows are not retried on their own

    first = _rows(db)[0]
    result = runner.invoke(args=["notifications", "retry-failed", "--id", str(first.id)])
    assert result.exit_code == 0, result.output
    assert "Re-queued 1" in result.output
    smtp.wait_for(1)
    result = runner.invoke(args=["notifications", "retry-failed"])
    assert "Re-queued 1" in result.output
    smtp.wait_for(2)
    _assert_each_exactly_once(smtp, emails)
    result = runner.invoke(args=["notifications", "retry-failed", "--id", str(first.id)])
    assert result.exit_code != 0
    assert "no failed notification" in result.output


def test_redis_down_during_event_then_delivered_once_it_returns(
    make_app, smtp, private_redis, start_worker
):
    app = make_app(
        dict(FAST), REDIS_URL=private_redis.url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port)
    )
    with app.app_context():
        reset_tables()
        private_redis.kill()
        started = time.monotonic()
        response = app.test_client().post(
            "/api/v1/auth/register",
            json={"email": "ada@example.com", "password": "password123", "name": "Ada"},
        )
        # The registration succeeds, fast, even though the queue is unreachable.
        assert response.status_code == 201, response.get_json()
        assert time.monotonic() - started < 5
        from mentorhub.extensions import db

        [email_row] = [r for r in _rows(db) if r.channel == "email"]
        assert email_row.status == "pending"

        private_redis.start()
        start_worker(environ=worker_environ(smtp, REDIS_URL=private_redis.url))
        [message] = smtp.wait_for(1)
        assert message["To"] == "ada@example.com"
        _assert_each_exactly_once(smtp, ["ada@example.com"])
        assert [r.status for r in _rows(db) if r.channel == "email"] == ["sent"]


def test_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    app, db, make_user, smtp, start_worker
):
    emails = _queue_welcomes(db, make_user, 6)
    smtp.stall_after = 2  # the third mail hangs at RCPT, inside the worker's job
    worker = start_worker()
    wait_until(smtp.stalled.is_set, what="the worker to be mid-batch")
    worker.kill()  # SIGKILL the worker and its scheduler, like a crashed machine
    worker.process.wait(timeout=20)
    smtp.stall_after = None
    smtp.release.set()
    assert smtp.count() == 2

    start_worker()  # its sweep finds the rows the dead worker left pending
    smtp.wait_for(6)
    _assert_each_exactly_once(smtp, emails)
    assert {r.status for r in _rows(db)} == {"sent"}
