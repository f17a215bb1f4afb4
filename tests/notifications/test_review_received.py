"""A mentor is told of a new review: the rating and an excerpt, unless they turned it off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mentorhub.models import Notification
from mentorhub.services import scheduling
from tests.support.booking import SESSIONS, in_hours

PREFS = "/api/v1/notifications/preferences"
COMMENT = "Clear on effect cleanup, patient with my questions. " * 8


def _reviewed(client, book, auth_headers, monkeypatch, student, mentor, hours_ago: int) -> None:
    """A session that started `hours_ago`, completed by the mentor, reviewed by the student."""
    start = in_hours(-hours_ago)
    monkeypatch.setattr(scheduling, "now", lambda: start - timedelta(hours=1))
    session = book(student, mentor, start, duration_minutes=30).get_json()
    monkeypatch.setattr(scheduling, "now", lambda: datetime.now(UTC))
    path = f"{SESSIONS}/{session['id']}"
    assert client.post(f"{path}/complete", headers=auth_headers(mentor)).status_code == 200
    review = {"rating": 4, "comment": COMMENT}
    response = client.post(f"{path}/review", json=review, headers=auth_headers(student))
    assert response.status_code == 201, response.get_json()


def test_a_review_reaches_its_mentor_who_can_turn_it_off(
    client, book, auth_headers, monkeypatch, student, mentor, smtp, burst, db
):
    _reviewed(client, book, auth_headers, monkeypatch, student, mentor, hours_ago=3)
    burst()
    [mail] = [m for m in smtp.messages if m["Subject"].startswith("New review")]
    assert mail["To"] == mentor.email
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"].startswith("New review, 4 of 5: React Hooks")
    assert "Rating: 4 out of 5" in text and "> Clear on effect cleanup" in text
    assert len(text.split("> ")[1].split("\n")[0]) <= 200  # an excerpt, not the whole review
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    inbox = client.get("/api/v1/notifications", headers=auth_headers(mentor)).get_json()
    reviews = [n["text"] for n in inbox["items"] if n["type"] == "review_received"]
    assert reviews == [f"New review: 4 of 5 from {student.name}"]

    off = {"preferences": [{"type": "review_received", "channel": "email", "enabled": False}]}
    assert client.put(PREFS, json=off, headers=auth_headers(mentor)).status_code == 200
    _reviewed(client, book, auth_headers, monkeypatch, student, mentor, hours_ago=6)
    emails = db.session.scalars(
        select(Notification.status)
        .where(Notification.type == "review_received", Notification.channel == "email")
        .order_by(Notification.id)
    ).all()
    assert emails == ["sent", "skipped"]
