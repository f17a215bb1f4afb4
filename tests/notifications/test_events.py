"""Platform events raise the right notifications, driven through the HTTP API and a real worker."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from sqlalchemy import select, update

from mentorhub.models import MentorSession, Notification
from mentorhub.notifications.job_queue import QUEUE_NAME
from tests.support.booking import booked
from tests.support.payments import WEBHOOK_SECRET, payment_event, post_webhook
from tests.support.waiting import wait_until


def _rows(db, **filters) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).filter_by(**filters).order_by(Notification.id)
    rows = db.session.scalars(query).all()
    db.session.commit()
    return rows


MEETING_LINK = "https://meet.example.org/rust-traits"


def _book(client, auth_headers, student, mentor, start: datetime, topic="Rust traits"):
    headers = auth_headers(student)
    fields = {"topic": topic, "duration_minutes": 30, "meeting_link": MEETING_LINK}
    return booked(client, headers, mentor, start, **fields)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _jobs_done(redis_client) -> bool:
    """Whether no notification job is due, waiting or running: the worker has done its part."""
    queue = Queue(QUEUE_NAME, connection=redis_client)
    due = queue.scheduled_job_registry.get_jobs_to_schedule(int(time.time()) + 1)
    return not due and queue.count == 0 and queue.started_job_registry.count == 0


def _when(start: datetime) -> str:
    return start.astimezone(UTC).strftime("%a %d %b, %H:%M UTC")


def test_registration_sends_welcome(auth, smtp, burst, db):
    auth.sign_up("Ada@Example.com", name="Ada")
    burst()
    [message] = smtp.wait_for(1)
    assert message["To"] == "ada@example.com"
    assert "Hi Ada," in _text(message)
    assert [r.channel for r in _rows(db, type="welcome")] == ["email", "in_app"]


def test_booking_confirms_to_both_and_schedules_reminders(
    client, auth_headers, student, mentor, smtp, burst, db
):
    start = datetime.now(UTC) + timedelta(days=3)
    session = _book(client, auth_headers, student, mentor, start)
    burst()  # delivers what is due, then exits: nothing else is on its way
    assert smtp.count() == 2
    assert session["meeting_link"] == MEETING_LINK
    [to_student] = smtp.to(student.email)
    [to_mentor] = smtp.to(mentor.email)
    assert to_student["Subject"] == f"Confirmed {_when(start)}: Rust traits with {mentor.name}"
    assert to_mentor["Subject"] == f"New booking {_when(start)}: Rust traits with {student.name}"
    assert "To prepare:" in _text(to_student)
    assert f"{student.name} booked a session with you" in _text(to_mentor)
    assert all(MEETING_LINK in _text(m) for m in (to_student, to_mentor))
    assert f"/sessions/{session['id']}" in _text(to_student)
    reminders = _rows(db, type="session_reminder")
    # Two offsets (24 h and 1 h) for each participant, due before the start, none sent yet.
    assert len(reminders) == 4
    assert {r.status for r in reminders} == {"pending"}
    assert sorted({r.send_after for r in reminders}) == [
        start - timedelta(hours=24),
        start - timedelta(hours=1),
    ]


def test_booking_inside_an_offset_skips_that_reminder(client, auth_headers, student, mentor, db):
    start = datetime.now(UTC) + timedelta(hours=3)
    _book(client, auth_headers, student, mentor, start)
    reminders = _rows(db, type="session_reminder")
    assert len(reminders) == 2
    assert {r.send_after for r in reminders} == {start - timedelta(hours=1)}


def _soon(seconds: int = 4) -> datetime:
    # A start one hour (the default last offset) plus a few seconds away: its reminder is due now.
    return datetime.now(UTC) + timedelta(hours=1, seconds=seconds)


@pytest.mark.slow
def test_reminder_is_delivered_with_link_and_time_until(
    client, auth_headers, student, mentor, smtp, start_worker, db
):
    session = _book(client, auth_headers, student, mentor, _soon())
    start_worker()
    smtp.wait_for(4, timeout=90)  # two confirmations, two reminders
    reminders = [m for m in smtp.messages if m["Subject"].startswith("In ")]
    assert sorted(m["To"] for m in reminders) == [mentor.email, student.email]
    for message in reminders:
        # "in 1 hour", or a few minutes less on a slow machine: worked out when it is sent.
        match = re.fullmatch(r"In (1 hour|5\d minutes): Rust traits with (.+)", message["Subject"])
        assert match, message["Subject"]
        assert session["meeting_link"] in _text(message)
        assert f"starts in {match[1]}" in message.get_body(preferencelist=("html",)).get_content()
        # The call link is the primary action: a button, with the plain URL beneath it.
        assert f"Join the call:\n{MEETING_LINK}" in _text(message).replace("\r\n", "\n")


def test_cancelled_session_is_never_reminded_even_with_the_job_queued(
    client, auth_headers, student, mentor, smtp, start_worker, db, redis_client
):
    session = _book(client, auth_headers, student, mentor, _soon(seconds=6))
    # The reminder jobs are already in RQ's schedule when the session is cancelled.
    assert redis_client.zcard("rq:scheduled:notifications") >= 1
    response = client.post(
        f"/api/v1/sessions/{session['id']}/cancel",
        json={"reason": "Conflict"},
        headers=auth_headers(mentor),
    )
    assert response.status_code == 200
    start_worker()
    # Due jobs have run once nothing is scheduled, queued or running any more.
    wait_until(lambda: _jobs_done(redis_client), what="the reminder jobs to run")
    assert not [m for m in smtp.messages if m["Subject"].startswith("In ")]
    cancels = [m for m in smtp.messages if m["Subject"].startswith("Cancelled")]
    [cancel] = [m for m in cancels if m["To"] == student.email]  # the other party
    assert cancel["Subject"].endswith(f": Rust traits by {mentor.name}")
    assert "Conflict" in _text(cancel)
    assert f"{mentor.name} cancelled your session" in _text(cancel)
    assert f"/mentors/{mentor.id}" in _text(cancel)  # what next: book another time
    assert {r.status for r in _rows(db, type="session_reminder")} == {"cancelled"}


def test_reminder_job_rechecks_a_session_changed_behind_its_back(
    app, client, auth_headers, student, mentor, smtp, start_worker, db
):
    # Two sessions whose reminders are queued; then one is cancelled and one moved without the
    # event hooks (as a concurrent change would look to a job that already holds the ids).
    first = _book(client, auth_headers, student, mentor, _soon(seconds=6), topic="First")
    second = _book(
        client, auth_headers, student, mentor, _soon(seconds=6) + timedelta(hours=2), "Second"
    )
    db.session.execute(
        update(MentorSession).where(MentorSession.id == first["id"]).values(status="cancelled")
    )
    db.session.execute(
        update(MentorSession)
        .where(MentorSession.id == second["id"])
        .values(scheduled_time=datetime.now(UTC) + timedelta(days=5))
    )
    db.session.commit()
    # Make the second session's 1 h reminder due now too.
    db.session.execute(
        update(Notification)
        .where(Notification.type == "session_reminder")
        .values(send_after=datetime.now(UTC), queued_at=datetime.now(UTC))
    )
    db.session.commit()
    worker = start_worker()
    wait_until(
        lambda: {r.status for r in _rows(db, type="session_reminder")} == {"cancelled"},
        what="stale reminders cancelled by the job",
        on_timeout=lambda: (_rows(db, type="session_reminder"), worker.output()),
    )
    smtp.wait_for(4)  # the four confirmations
    assert not [m for m in smtp.messages if m["Subject"].startswith("In ")]


@pytest.mark.slow
def test_rescheduled_session_reminds_only_for_the_new_time(
    client, auth_headers, student, mentor, smtp, start_worker, db, redis_client
):
    old_start = _soon(seconds=6)
    session = _book(client, auth_headers, student, mentor, old_start)
    new_start = datetime.now(UTC) + timedelta(days=2)
    response = client.post(
        f"/api/v1/sessions/{session['id']}/reschedule",
        json={"scheduled_time": new_start.isoformat()},
        headers=auth_headers(student),
    )
    assert response.status_code == 200, response.get_json()
    start_worker()
    smtp.wait_for(4)  # confirmations of the booking and of the new time
    moved = [m for m in smtp.messages if m["Subject"].startswith("Moved to ")]
    assert sorted(m["To"] for m in moved) == [mentor.email, student.email]
    for message in moved:
        text = _text(message).replace("\r\n", "\n")
        assert message["Subject"].startswith(f"Moved to {_when(new_start)}: Rust traits")
        mover = "You" if message["To"] == student.email else student.name
        assert text.startswith(f"{mover} moved your session")
        assert f"From: {old_start.strftime('%a %d %b %Y, %H:%M')}–" in text
        assert f"To:   {new_start.strftime('%a %d %b %Y, %H:%M')}–" in text
    # Past the old reminder's due time, and the worker idle: no reminder went out for it.
    wait_until(lambda: datetime.now(UTC) > old_start - timedelta(hours=1), what="old due time")
    wait_until(lambda: _jobs_done(redis_client), what="the due jobs to run")
    assert not [m for m in smtp.messages if m["Subject"].startswith("In ")]
    reminders = _rows(db, type="session_reminder")
    assert sorted(r.status for r in reminders) == ["cancelled"] * 2 + ["pending"] * 4
    assert {r.send_after for r in reminders if r.status == "pending"} == {
        new_start - timedelta(hours=24),
        new_start - timedelta(hours=1),
    }


def test_message_burst_emails_once_but_notifies_in_app_each_time(
    client, auth_headers, student, mentor, smtp, burst, db
):
    for n in range(3):
        response = client.post(
            "/api/v1/messages",
            json={"recipient_id": mentor.id, "body": f"Question {n}?"},
            headers=auth_headers(student),
        )
        assert response.status_code == 201, response.get_json()
    burst()  # delivers what is due, then exits
    [message] = smtp.messages
    assert message["Subject"] == f"Message from {student.name}: Question 0?"
    assert "Question 0?" in _text(message)
    assert f"Reply to {student.name}:" in _text(message)
    assert f"/messages/{student.id}" in _text(message)
    in_app = _rows(db, type="new_message", channel="in_app")
    assert [r.data["preview"] for r in in_app] == ["Question 0?", "Question 1?", "Question 2?"]


def test_payment_notifies_mentor_and_sends_receipt_to_a_payer_without_account(
    app, client, auth_headers, student, mentor, smtp, burst, db
):
    app.config["PAYMENT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    session = _book(client, auth_headers, student, mentor, datetime.now(UTC) + timedelta(days=3))
    event = payment_event(
        session["id"], event_id="evt_1", currency="EUR", payer_email="Parent@Example.org"
    )
    for expected in (201, 200):  # the replay adds nothing
        response = post_webhook(client, event)
        assert response.status_code == expected, response.get_json()
    burst()  # delivers what is due, then exits
    [receipt] = smtp.to("parent@example.org")
    assert receipt["Subject"] == "Receipt for €49.90: Rust traits"
    [to_mentor] = [m for m in smtp.to(mentor.email) if "€49.90" in m["Subject"]]
    # A payer without an account has no name to show, and their address is not the mentor's.
    assert to_mentor["Subject"] == "€49.90 received: Rust traits"
    receipt_text, notice_text = _text(receipt), _text(to_mentor)
    assert "This is your receipt" in receipt_text
    assert "This is your record of the payment" in notice_text
    for text in (receipt_text, notice_text):
        # A record of money: the provider's id, the date, the payer and the mentor.
        assert "Amount: €49.90" in text
        assert "Payment reference: evt_1" in text
        assert "Paid on: " in text
        assert "parent@example.org" not in text  # the payer's address is their own business
        assert "Unsubscribe" not in text  # receipts cannot be turned off
        assert "always sent" in text
    # Each shows the other party: the payer the mentor, the mentor whose session it was.
    assert f"Mentor: {mentor.name}" in receipt_text and "Mentor:" not in notice_text
    assert f"Student: {student.name}" in notice_text
    assert receipt["List-Unsubscribe"] is None
    assert to_mentor["List-Unsubscribe"] is None
