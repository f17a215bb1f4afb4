"""The fast delivery path: messages written without the email package, prepared per-mail SQL."""

from __future__ import annotations

import email
import threading
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from sqlalchemy import select, update

from mentorhub.mail import mime as email_mime
from mentorhub.mail.service import email_service
from mentorhub.mail.smtp import worker_smtp
from mentorhub.models import MentorSession, Notification
from mentorhub.notifications import delivery
from mentorhub.notifications.service import notification_service


def _build(**overrides) -> bytes:
    fields = {
        "sender": "noreply@mentorhub.com",
        "to": "ada@example.com",
        "subject": "Hello",
        "text": "Line one\nLine two",
        "html": "<p>Hello</p>",
        "message_id": "<notification-1@mentorhub.com>",
    }
    fields.update(overrides)
    return email_mime.build_message(**fields)


def _parse(raw: bytes):
    message = email.message_from_bytes(raw, policy=policy.default)
    assert not [part.defects for part in message.walk() if part.defects]
    return message


def _body(message, kind: str) -> str:
    return message.get_body(preferencelist=(kind,)).get_content().replace("\r\n", "\n")


def test_message_is_crlf_and_round_trips_unicode_headers_and_parts():
    subject = "Session confirmed: Zoë's café ü ü ü " + "x" * 90
    raw = _build(subject=subject, text="Grüße\r\n.dot line\rend", html="<p>Zoë</p>")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    message = _parse(raw)
    assert message["Subject"] == subject
    assert message["Message-ID"] == "<notification-1@mentorhub.com>"
    assert message.get_content_type() == "multipart/alternative"
    assert _body(message, "plain") == "Grüße\n.dot line\nend"
    assert _body(message, "html") == "<p>Zoë</p>"


def test_a_line_too_long_for_smtp_is_base64_encoded():
    long_line = "é" * 600  # 1,200 bytes of UTF-8: over SMTP's 998
    raw = _build(html=f"<p>{long_line}</p>")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    message = _parse(raw)
    html = message.get_body(preferencelist=("html",))
    assert html["Content-Transfer-Encoding"] == "base64"
    assert _body(message, "html") == f"<p>{long_line}</p>"


def test_the_boundary_never_occurs_in_a_body(monkeypatch):
    tokens = iter(["a" * 24, "b" * 24])
    monkeypatch.setattr(email_mime.secrets, "token_hex", lambda n: next(tokens))
    raw = _build(text=f"quoting --=_mentorhub_{'a' * 24} here")
    assert b'boundary="=_mentorhub_' + b"b" * 24 in raw
    assert "quoting" in _body(_parse(raw), "plain")


def test_generated_message_id_uses_the_sender_domain(app, smtp):
    assert email_service.send_email("ada@example.com", "Hi", "body")
    [message] = smtp.wait_for(1)
    assert message["Message-ID"].endswith("@mentorhub.com>")


def test_a_local_part_needing_smtputf8_is_refused_not_retried(app, smtp, caplog):
    assert email_service.send_email("zoë@example.com", "Hi", "body") is False
    assert "needs SMTPUTF8" in caplog.text
    assert smtp.count() == 0


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
