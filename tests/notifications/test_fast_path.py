"""Reminders at send time: cancelled if their session changed, expired if no longer on time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from mentorhub.mail.smtp import worker_smtp
from mentorhub.models import MentorSession, Notification
from mentorhub.notifications import delivery
from mentorhub.services.notifications import notification_service


@pytest.mark.parametrize("change", ["cancelled", "moved"])
def test_reminder_changed_after_its_batch_was_claimed_is_not_sent(
    change, app, db, student, mentor, smtp
):
    at = datetime.now(UTC) + timedelta(hours=1)
    session = MentorSession(
        mentor_id=mentor.id,
        student_id=student.id,
        topic="SQL",
        scheduled_time=at,
        duration_minutes=30,
        meeting_link="https://m.example/x",
    )
    db.session.add(session)
    db.session.flush()
    [welcome] = notification_service.notify_user(student, "welcome", {"name": "Stu"})
    data = {"session_id": session.id, "topic": "SQL", "scheduled_time": at.isoformat()}
    data["meeting_link"] = session.meeting_link
    [reminder] = notification_service.notify_user(student, "session_reminder", data)
    db.session.commit()
    ids = [welcome.id, reminder.id]

    # The welcome, first in the batch, hangs at the server; the batch is claimed by then.
    smtp.stall_after = 0
    job = threading.Thread(target=_deliver_in_thread, args=(app, ids))
    job.start()
    try:
        assert smtp.stalled.wait(30)
        values = (
            {"status": "cancelled"}
            if change == "cancelled"
            else {"scheduled_time": at + timedelta(days=1)}
        )
        db.session.execute(
            update(MentorSession).where(MentorSession.id == session.id).values(**values)
        )
        db.session.commit()
    finally:
        smtp.release.set()
        job.join(30)
        worker_smtp.discard()
    [message] = smtp.wait_for(1)
    assert message["Subject"].startswith("Welcome")
    db.session.expire_all()
    rows = {
        r.id: r for r in db.session.scalars(select(Notification).where(Notification.id.in_(ids)))
    }
    assert (rows[welcome.id].status, rows[welcome.id].attempts) == ("sent", 1)
    assert rows[reminder.id].status == "cancelled"
    assert rows[reminder.id].last_error == "session was cancelled or moved"
    assert smtp.count() == 1


def _deliver_in_thread(app, ids: list[int]) -> None:
    with app.app_context():
        delivery.deliver_notifications(ids)


def _session(db, student, mentor, starts_in: timedelta) -> MentorSession:
    session = MentorSession(
        mentor_id=mentor.id,
        student_id=student.id,
        topic="SQL",
        scheduled_time=datetime.now(UTC) + starts_in,
        duration_minutes=30,
        meeting_link="https://m.example/x",
    )
    db.session.add(session)
    db.session.flush()
    return session


def _remind(student, session: MentorSession, due_ago: timedelta) -> Notification:
    data = {
        "session_id": session.id,
        "topic": session.topic,
        "scheduled_time": session.scheduled_time.isoformat(),
        "meeting_link": session.meeting_link,
    }
    due = datetime.now(UTC) - due_ago
    [row] = notification_service.notify_user(student, "session_reminder", data, send_after=due)
    return row


def test_reminders_that_can_no_longer_be_on_time_expire_instead_of_being_sent(
    app, db, student, mentor, smtp
):
    from mentorhub.jobs.notifications import deliver_notifications

    started = _remind(student, _session(db, student, mentor, -timedelta(minutes=5)), timedelta(0))
    late = _remind(
        student, _session(db, student, mentor, timedelta(minutes=40)), timedelta(minutes=20)
    )
    on_time = _remind(
        student, _session(db, student, mentor, timedelta(minutes=59)), timedelta(minutes=1)
    )
    db.session.commit()
    ids = started.id, late.id, on_time.id

    deliver_notifications(list(ids))  # the job entry point; it ends the session

    rows = {r.id: r for r in db.session.scalars(select(Notification))}
    assert (rows[ids[0]].status, rows[ids[0]].last_error) == (
        "expired",
        "the session had already started",
    )
    assert rows[ids[1]].status == "expired"
    assert "after it was due" in rows[ids[1]].last_error
    assert rows[ids[2]].status == "sent"
    assert smtp.count() == 1
