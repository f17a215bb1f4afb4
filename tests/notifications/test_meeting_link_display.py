"""A call link stored before today's rule, that breaks it, is left out of every email and
invite (the feed's test is in tests/test_meeting_links.py)."""

from __future__ import annotations

from sqlalchemy import update

from mentorhub.models import MentorSession
from mentorhub.services.notifications import notification_service
from tests.support.booking import booked

SPOOF = "https://p\u0430ypal.com@10.0.0.5/\u202egpj.exe"


def test_a_spoofing_link_reaches_no_email_or_invite(app, db, client, make_user, auth_headers,
                                                    smtp, burst):  # fmt: skip
    mentor = make_user("mentor@example.com", is_mentor=True, name="Mia")
    student = make_user("student@example.com", name="Sam")
    session = booked(client, auth_headers(student), mentor)
    burst()
    smtp.clear()
    db.session.execute(
        update(MentorSession).where(MentorSession.id == session["id"]).values(meeting_link=SPOOF)
    )
    data = {"topic": "Go", "scheduled_time": session["scheduled_time"],
            "session_id": session["id"], "meeting_link": SPOOF, "duration_minutes": 60}  # fmt: skip
    notification_service.send_notification(student.email, "session_confirmed", data)
    notification_service.send_notification(student.email, "session_reminder", data)
    db.session.commit()
    burst()
    messages = smtp.wait_for(2)
    assert len(messages) == 2
    for message in messages:
        text = decoded(message)
        assert "Go" in text  # the parts were read
        assert "10.0.0.5" not in text and "\u202e" not in text and "\u0430" not in text


def decoded(message) -> str:
    """Every part of a message (text, HTML, calendar, attachment) as decoded text."""
    parts = [part.get_content() for part in message.walk() if not part.is_multipart()]
    return "\n".join(p.decode() if isinstance(p, bytes) else p for p in parts)
