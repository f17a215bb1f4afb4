"""Nothing lost, nothing sent twice: SMTP outages, the retry horizon, Redis down at commit."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from mentorhub.models import Notification, utcnow
from mentorhub.services.notifications import notification_service
from tests.support.auth import AuthActions
from tests.support.notifications import FAST, MESSAGE, assert_received_once_each, worker_environ
from tests.support.tables import empty_tables
from tests.support.waiting import wait_until


def _rows(db) -> list[Notification]:
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    db.session.commit()
    return rows


def _queue_welcomes(db, make_user, count: int) -> list[str]:
    emails = []
    for n in range(count):
        user = make_user(f"user{n}@example.com", name=f"User {n}")
        notification_service.send_notification(user.email, "new_message", MESSAGE)
        emails.append(user.email)
    db.session.commit()
    return emails


def _assert_each_exactly_once(smtp, emails: list[str]) -> None:
    # Once no email row is pending or sending, nothing more can be sent: count then.
    from mentorhub.extensions import db

    wait_until(
        lambda: not {"pending", "sending"} & {r.status for r in _rows(db) if r.channel == "email"},
        what="no email row left to send",
    )
    assert_received_once_each(smtp, emails)


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
    # Failed is final: no claim takes a failed row, so nothing goes out until retry-failed.
    assert {r.status for r in _rows(db)} == {"failed"}
    assert smtp.count() == 0

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
        empty_tables()
        private_redis.kill()
        started = time.monotonic()
        response = AuthActions(app.test_client()).register("ada@example.com", name="Ada")
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


def test_retries_back_off_to_a_cap_then_fail_after_the_lifetime_and_can_be_retried(
    app, db, make_user, smtp, runner
):
    from mentorhub.jobs.notifications import deliver_notifications

    app.config.update(NOTIFICATION_RETRY_BASE_SECONDS=10.0, NOTIFICATION_MAX_AGE_HOURS=24.0)
    smtp.stop()
    [email] = _queue_welcomes(db, make_user, 1)
    [row] = _rows(db)

    deliver_notifications([row.id])  # the job entry point a worker runs
    [row] = _rows(db)
    first_failed = row.first_failed_at
    assert (row.status, row.attempts) == ("pending", 1)
    assert 10 <= (row.queued_at - utcnow()).total_seconds() <= 12.5  # base, plus jitter

    # Many attempts later the wait stops doubling: it is capped (30 minutes, plus jitter).
    _set(db, row.id, attempts=20, queued_at=utcnow())
    deliver_notifications([row.id])
    [row] = _rows(db)
    assert row.status == "pending"
    assert 1800 <= (row.queued_at - utcnow()).total_seconds() <= 1800 * 1.2 + 1
    assert row.first_failed_at == first_failed  # the lifetime runs from the first failure

    # Once the next try would fall past the lifetime, the row is failed.
    _set(db, row.id, queued_at=utcnow(), first_failed_at=utcnow() - timedelta(hours=23.9))
    deliver_notifications([row.id])
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("failed", 22)

    smtp.start()
    result = runner.invoke(args=["notifications", "retry-failed"])
    assert "Re-queued 1" in result.output
    [row] = _rows(db)
    assert (row.status, row.attempts, row.first_failed_at) == ("pending", 0, None)
    deliver_notifications([row.id])
    assert [m["To"] for m in smtp.messages] == [email]
    assert _rows(db)[0].status == "sent"


def _set(db, row_id: int, **values) -> None:
    db.session.execute(update(Notification).where(Notification.id == row_id).values(**values))
    db.session.commit()
