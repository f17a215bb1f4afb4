"""The embedded default (no Redis: in-process delivery), the CLI, and /ready's queue report."""

from __future__ import annotations

import logging

from rq.job import Job
from sqlalchemy import select, update

from mentorhub.extensions import db as _db
from mentorhub.models import Notification, utcnow
from mentorhub.services.notifications import notification_service
from tests.support.auth import AuthActions
from tests.support.waiting import wait_until


def _embedded_app(make_app, tmp_path, **environ):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.db'}", REDIS_URL=None, **environ)
    with app.app_context():
        _db.create_all()
    return app


def _register_ada(app) -> None:
    AuthActions(app.test_client()).sign_up("ada@example.com", name="Ada")


def test_without_redis_or_smtp_mail_is_delivered_inline_as_a_log_line(make_app, tmp_path, caplog):
    app = _embedded_app(make_app, tmp_path)
    caplog.set_level(logging.INFO, logger="mentorhub.mail.sender")
    with app.app_context():
        _register_ada(app)
        [row] = _db.session.scalars(select(Notification).filter_by(channel="email")).all()
        assert (row.status, row.attempts) == ("sent", 1)
        assert "SMTP not configured" in row.last_error
    assert (
        "email not sent (SMTP not configured): to=ada@example.com subject=Welcome to MentorHub"
        in caplog.text
    )


def test_without_redis_but_with_smtp_mail_is_sent_inline(make_app, tmp_path, smtp):
    app = _embedded_app(make_app, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
    with app.app_context():
        _register_ada(app)
    # Delivered before the response returned: no worker exists in this mode.
    assert [m["Subject"] for m in smtp.messages] == ["Welcome to MentorHub"]


def test_embedded_sweep_delivers_due_scheduled_rows(make_app, tmp_path, smtp):
    app = _embedded_app(make_app, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
    with app.app_context():
        _register_ada(app)
        smtp.clear()
        _db.session.execute(
            update(Notification)
            .where(Notification.channel == "email")
            .values(status="pending", queued_at=utcnow())
        )
        _db.session.commit()
        result = app.test_cli_runner().invoke(args=["notifications", "sweep", "--older-than", "0"])
        assert result.exit_code == 0, result.output
        assert "Swept 1" in result.output
    assert len(smtp.messages) == 1


def test_status_counts_by_status_and_type(app, db, runner, make_user):
    user = make_user("ada@example.com")
    notification_service.send_notification(
        user.email, "welcome", {"name": "Ada"}, ["email", "in_app"]
    )
    db.session.commit()
    result = runner.invoke(args=["notifications", "status"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["pending", "welcome", "1"] in lines
    assert ["sent", "welcome", "1"] in lines
    assert "queue: 1 waiting, 0 scheduled, worker seen recently: no" in result.output


def test_sweep_wakes_delivery_only_for_overdue_pending_rows(
    app, db, runner, make_user, redis_client
):
    user = make_user("ada@example.com")
    old, new = (
        notification_service.send_notification(user.email, "welcome", {"name": "Ada"})[0]
        for _ in range(2)
    )
    db.session.commit()
    redis_client.delete("rq:queue:notifications")  # as if Redis had lost the wake-up
    assert runner.invoke(args=["notifications", "sweep", "--older-than", "60"]).output.startswith(
        "Swept 0"
    )
    assert redis_client.llen("rq:queue:notifications") == 0
    db.session.execute(
        update(Notification)
        .where(Notification.id == old.id)
        .values(queued_at=utcnow().replace(year=2020))
    )
    db.session.commit()
    result = runner.invoke(args=["notifications", "sweep", "--older-than", "60"])
    assert "Swept 1 overdue" in result.output
    # One wake-up, even though the drain flag of the original commit may still be set.
    [job_id] = redis_client.lrange("rq:queue:notifications", 0, -1)
    job = Job.fetch(job_id.decode(), connection=redis_client)
    assert job.func_name == "mentorhub.jobs.notifications.drain_notifications"


def test_worker_refuses_to_start_without_redis(make_app, tmp_path):
    app = _embedded_app(make_app, tmp_path)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_ready_reports_queue_depth_and_workers(app, client, db, make_user, burst):
    user = make_user("ada@example.com")
    notification_service.send_notification(user.email, "welcome", {"name": "Ada"})
    db.session.commit()
    checks = client.get("/ready").get_json()["checks"]
    assert (checks["queue"]["status"], checks["queue"]["depth"]) == ("up", 1)
    assert checks["worker"]["status"] == "down"
    burst()

    def queue_and_worker():
        checks = client.get("/ready").get_json()["checks"]
        return checks["queue"]["depth"], checks["worker"]["status"]

    # /ready shares its answer for HEALTH_CACHE_SECONDS: the next fresh one sees the burst.
    wait_until(lambda: queue_and_worker() == (0, "up"), timeout=10, on_timeout=queue_and_worker)


def test_ready_skips_the_queue_without_redis(make_app, tmp_path):
    app = _embedded_app(make_app, tmp_path)
    body = app.test_client().get("/ready").get_json()
    assert body["checks"]["queue"] == {"status": "skipped"}
