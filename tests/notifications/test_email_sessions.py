"""The session's own call link, set by its mentor; message previews; one SMTP connection per app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mentorhub.mail.rendering import render_generic
from mentorhub.mail.smtp import worker_smtp
from mentorhub.models import Notification
from mentorhub.notifications.compose import PreparedRow, build_email
from mentorhub.services.email import email_service
from tests.support.booking import booked
from tests.support.smtp import MailSink

LINK = "https://meet.example.org/room-1"


def _book(client, auth_headers, student, mentor, topic="SQL", **extra) -> dict:
    start = datetime.now(UTC) + timedelta(days=3 + len(topic))
    return booked(client, auth_headers(student), mentor, start, topic=topic, **extra)


def _reminders(db) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).where(Notification.type == "session_reminder")
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_new_session_has_no_link_we_do_not_serve(client, auth_headers, student, mentor):
    assert _book(client, auth_headers, student, mentor)["meeting_link"] is None


def test_a_configured_provider_template_gives_each_session_its_own_room(
    make_app, make_user, auth_headers
):
    app = make_app(MEETING_LINK_TEMPLATE="https://meet.jit.si/MentorHub-{token}")
    with app.app_context():
        student, mentor = make_user(), make_user(is_mentor=True)
        client = app.test_client()
        first = _book(client, auth_headers, student, mentor)["meeting_link"]
        second = _book(client, auth_headers, student, mentor, topic="Other")["meeting_link"]
    assert first.startswith("https://meet.jit.si/MentorHub-")
    assert second.startswith("https://meet.jit.si/MentorHub-") and second != first


@pytest.mark.parametrize(
    "link", ["http://meet.example.org/x", "javascript:alert(1)", "https://", "meet.example.org"]
)
def test_only_https_links_are_accepted(client, auth_headers, student, mentor, link):
    session = _book(client, auth_headers, student, mentor)
    response = client.patch(
        f"/api/v1/sessions/{session['id']}",
        json={"meeting_link": link},
        headers=auth_headers(mentor),
    )
    assert response.status_code == 422
    assert "meeting_link" in str(response.get_json()["errors"])


def test_the_mentor_sets_the_link_and_reminders_still_due_carry_it(
    app, client, auth_headers, student, mentor, db
):
    session = _book(client, auth_headers, student, mentor)
    url = f"/api/v1/sessions/{session['id']}"
    denied = client.patch(url, json={"meeting_link": LINK}, headers=auth_headers(student))
    assert denied.status_code == 403
    response = client.patch(url, json={"meeting_link": LINK}, headers=auth_headers(mentor))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["meeting_link"] == LINK
    reminders = _reminders(db)
    assert len(reminders) == 4 and all(r.data["meeting_link"] == LINK for r in reminders)
    row = reminders[0]
    email = build_email(PreparedRow(row.id, row.user_id, "x@example.org", row.type, row.data, 0))
    assert f"Join the call:\n{LINK}\n" in email.text
    cleared = client.patch(url, json={"meeting_link": None}, headers=auth_headers(mentor))
    assert cleared.get_json()["meeting_link"] is None
    assert all(r.data["meeting_link"] is None for r in _reminders(db))


def test_a_long_message_preview_ends_on_a_whole_word(client, auth_headers, student, mentor, db):
    body = "Could we look at window functions " + "and partitions " * 20
    response = client.post(
        "/api/v1/messages",
        json={"recipient_id": mentor.id, "body": body},
        headers=auth_headers(student),
    )
    assert response.status_code == 201
    [row] = db.session.scalars(select(Notification).where(Notification.channel == "email"))
    preview = row.data["preview"]
    assert preview.endswith("…") and len(preview) <= 140
    assert body.startswith(preview[:-1]) and body[len(preview) - 1] == " "


def test_two_apps_keep_their_own_smtp_connections(make_app):
    sinks = [MailSink().start(), MailSink().start()]
    try:
        apps = [make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port)) for sink in sinks]
        connections = []
        for app, address in zip(apps, ("one@example.org", "two@example.org"), strict=True):
            with app.app_context():
                email_service.deliver(render_generic(address, "Hi", "Hello", False), worker_smtp)
                connections.append(worker_smtp.get())
        assert connections[0] is not connections[1]
        assert [m["To"] for m in sinks[0].wait_for(1)] == ["one@example.org"]
        assert [m["To"] for m in sinks[1].wait_for(1)] == ["two@example.org"]
    finally:
        for app in apps:
            with app.app_context():
                worker_smtp.discard()
        for sink in sinks:
            sink.stop()
