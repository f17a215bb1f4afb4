"""Platform events raise the right notifications, driven through the HTTP API and a real worker."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from mentorhub.models import MentorSession, Notification
from tests.notifications.support import wait_until

WEBHOOK_SECRET = "whsec-notification-tests"


def _rows(db, **filters) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).filter_by(**filters).order_by(Notification.id)
    rows = db.session.scalars(query).all()
    db.session.commit()
    return rows


def _book(client, auth_headers, student, mentor, start: datetime, topic="Rust traits"):
    response = client.post(
        "/api/v1/sessions",
        json={
            "mentor_id": mentor.id,
            "topic": topic,
            "scheduled_time": start.isoformat(),
            "duration_minutes": 30,
        },
        headers=auth_headers(student),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_registration_sends_welcome(client, smtp, burst, db):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "Ada@Example.com", "password": "password123", "name": "Ada"},
    )
    assert response.status_code == 201
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
    burst()
    messages = smtp.wait_for(2)
    time.sleep(1)
    assert sorted(m["To"] for m in smtp.messages) == [mentor.email, student.email]
    assert all(m["Subject"] == "Session confirmed: Rust traits" for m in messages)
    assert all(session["meeting_link"] in _text(m) for m in messages)
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


def test_reminder_is_delivered_with_link_and_time_until(
    client, auth_headers, student, mentor, smtp, start_worker, db
):
    session = _book(client, auth_headers, student, mentor, _soon())
    start_worker()
    smtp.wait_for(4, timeout=90)  # two confirmations, two reminders
    reminders = [m for m in smtp.messages if m["Subject"].startswith("Reminder:")]
    assert sorted(m["To"] for m in reminders) == [mentor.email, student.email]
    for message in reminders:
        # "in 1 hour", or a few minutes less on a slow machine: worked out when it is sent.
        assert re.fullmatch(
            r"Reminder: Rust traits starts in (1 hour|5\d minutes)", message["Subject"]
        )
        when = message["Subject"].rpartition("starts ")[2]
        assert session["meeting_link"] in _text(message)
        assert when in message.get_body(preferencelist=("html",)).get_content()


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
    smtp.wait_for(3)  # two confirmations, one cancellation
    wait_until(lambda: redis_client.zcard("rq:scheduled:notifications") == 0, what="due jobs")
    time.sleep(3)
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == ["Session cancelled: Rust traits"] + ["Session confirmed: Rust traits"] * 2
    [cancel] = [m for m in smtp.messages if m["Subject"].startswith("Session cancelled")]
    assert cancel["To"] == student.email  # the other party
    assert "Conflict" in _text(cancel)
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
    time.sleep(2)
    assert not [m for m in smtp.messages if m["Subject"].startswith("Reminder")]


def test_rescheduled_session_reminds_only_for_the_new_time(
    client, auth_headers, student, mentor, smtp, start_worker, db
):
    session = _book(client, auth_headers, student, mentor, _soon(seconds=6))
    new_start = datetime.now(UTC) + timedelta(days=2)
    response = client.post(
        f"/api/v1/sessions/{session['id']}/reschedule",
        json={"scheduled_time": new_start.isoformat()},
        headers=auth_headers(student),
    )
    assert response.status_code == 200, response.get_json()
    start_worker()
    smtp.wait_for(4)  # confirmations of the booking and of the new time
    time.sleep(12)  # past the old reminder's due time
    assert not [m for m in smtp.messages if m["Subject"].startswith("Reminder")]
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
    burst()
    [message] = smtp.wait_for(1)
    assert message["Subject"] == f"New message from {student.name}"
    assert "Question 0?" in _text(message)
    in_app = _rows(db, type="new_message", channel="in_app")
    assert [r.data["preview"] for r in in_app] == ["Question 0?", "Question 1?", "Question 2?"]
    time.sleep(1)
    assert smtp.count() == 1


def _sign(body: bytes) -> str:
    stamp = str(int(time.time()))
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def test_payment_notifies_mentor_and_sends_receipt_to_a_payer_without_account(
    app, client, auth_headers, student, mentor, smtp, burst, db
):
    app.config["PAYMENT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    session = _book(client, auth_headers, student, mentor, datetime.now(UTC) + timedelta(days=3))
    event = {
        "event_id": "evt_1",
        "session_id": session["id"],
        "amount": "49.90",
        "currency": "EUR",
        "payer_email": "Parent@Example.org",
    }
    body = json.dumps(event).encode()
    for expected in (201, 200):  # the replay adds nothing
        response = client.post(
            "/api/v1/payments/webhook",
            data=body,
            headers={"X-MentorHub-Signature": _sign(body)},
            content_type="application/json",
        )
        assert response.status_code == expected, response.get_json()
    burst()
    smtp.wait_for(4)
    time.sleep(1)
    payments = [m for m in smtp.messages if m["Subject"].startswith("Payment received")]
    assert sorted(m["To"] for m in payments) == [mentor.email, "parent@example.org"]
    [receipt] = [m for m in payments if m["To"] == "parent@example.org"]
    assert "This is your receipt" in _text(receipt)
    assert "49.90 EUR" in _text(receipt)
    assert receipt["List-Unsubscribe"] is None  # no account, no preferences to change
    [to_mentor] = [m for m in payments if m["To"] == mentor.email]
    assert "for your session" in _text(to_mentor)
