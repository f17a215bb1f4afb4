"""The in-app API, preferences and one-click unsubscribe, with their bad inputs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from mentorhub.models import Notification
from mentorhub.notifications.types import CHANNELS, TYPES
from mentorhub.services.notifications import notification_service
from tests.support import readability

INBOX = "/api/v1/notifications"
PREFS = "/api/v1/notifications/preferences"
UNSUBSCRIBE = "/api/v1/notifications/unsubscribe"


def _notify(db, user, n: int, type_name: str = "new_message", channels=("in_app",)):
    rows = []
    for i in range(n):
        data = {"sender_name": "Grace", "preview": f"hello {i}"}
        rows += notification_service.send_notification(user.email, type_name, data, channels)
    db.session.commit()
    return rows


def test_inbox_lists_own_in_app_notifications_newest_first_and_pages(
    client, db, auth_headers, student, mentor
):
    _notify(db, student, 3)
    _notify(db, mentor, 1)
    _notify(db, student, 1, channels=("email",))  # email rows are not in the inbox
    response = client.get(f"{INBOX}?per_page=2", headers=auth_headers(student))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["total"], body["pages"], body["page"]) == (3, 2, 1)
    assert [item["text"] for item in body["items"]] == ["Grace: hello 2", "Grace: hello 1"]
    assert body["items"][0]["read"] is False
    second = client.get(f"{INBOX}?per_page=2&page=2", headers=auth_headers(student)).get_json()
    assert [item["data"]["preview"] for item in second["items"]] == ["hello 0"]


def test_read_one_and_read_all_and_unread_filter(client, db, auth_headers, student, mentor):
    rows = _notify(db, student, 3)
    theirs = _notify(db, mentor, 1)[0]
    headers = auth_headers(student)
    response = client.post(f"{INBOX}/{rows[0].id}/read", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["read"] is True
    unread = client.get(f"{INBOX}?unread=true", headers=headers).get_json()
    assert [item["id"] for item in unread["items"]] == [rows[2].id, rows[1].id]
    assert client.post(f"{INBOX}/read-all", headers=headers).get_json() == {"updated": 2}
    assert client.get(f"{INBOX}?unread=true", headers=headers).get_json()["total"] == 0
    # Someone else's notification is invisible: mark-all did not touch it either.
    assert client.post(f"{INBOX}/{theirs.id}/read", headers=headers).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", INBOX),
        ("post", f"{INBOX}/1/read"),
        ("post", f"{INBOX}/read-all"),
        ("get", PREFS),
        ("put", PREFS),
    ],
)
def test_inbox_and_preferences_need_a_token(client, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.get_json()["status_code"] == 401


@pytest.mark.parametrize("query", ["unread=maybe", "page=0", "per_page=1000", "page=abc"])
def test_inbox_rejects_bad_query(client, auth_headers, student, query):
    response = client.get(f"{INBOX}?{query}", headers=auth_headers(student))
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_unknown_notification_is_404(client, auth_headers, student):
    assert client.post(f"{INBOX}/999999/read", headers=auth_headers(student)).status_code == 404


def test_preferences_default_on_with_locked_security_types(client, auth_headers, student):
    prefs = client.get(PREFS, headers=auth_headers(student)).get_json()["preferences"]
    assert {(p["type"], p["channel"]) for p in prefs} == {
        (name, channel) for name in TYPES for channel in CHANNELS
    }
    assert all(p["enabled"] for p in prefs)
    locked = {(p["type"], p["channel"]) for p in prefs if p["locked"]}
    # Account mail on every channel; a record of money on email.
    assert locked == {("welcome", "email"), ("welcome", "in_app"), ("payment_received", "email")}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"preferences": []},
        {"preferences": [{"type": "birthday", "channel": "email", "enabled": False}]},
        {"preferences": [{"type": "welcome", "channel": "sms", "enabled": False}]},
        {"preferences": [{"type": "welcome", "channel": "email"}]},
        {"preferences": [{"type": "welcome", "channel": "email", "enabled": False}]},
        {"preferences": [{"type": "payment_received", "channel": "email", "enabled": False}]},
        {"preferences": [{"type": "welcome", "channel": "in_app", "enabled": False}]},
    ],
)
def test_put_preferences_rejects_bad_or_locked(client, auth_headers, student, body):
    response = client.put(PREFS, json=body, headers=auth_headers(student))
    assert response.status_code == 422, response.get_json()


def test_turned_off_type_is_skipped_on_that_channel_only(
    client, db, auth_headers, student, smtp, burst
):
    change = {"preferences": [{"type": "new_message", "channel": "email", "enabled": False}]}
    response = client.put(PREFS, json=change, headers=auth_headers(student))
    assert response.status_code == 200
    [changed] = [
        p
        for p in response.get_json()["preferences"]
        if p["type"] == "new_message" and p["channel"] == "email"
    ]
    assert changed["enabled"] is False
    rows = _notify(db, student, 1, channels=("email", "in_app"))
    assert [(r.channel, r.status) for r in rows] == [("email", "skipped"), ("in_app", "sent")]
    burst()  # delivers what is due, then exits: nothing else is on its way
    assert smtp.count() == 0


def test_unsubscribe_link_from_an_email_turns_that_type_off(client, db, student, smtp, burst):
    notification_service.send_notification(
        student.email,
        "session_cancelled",
        {"topic": "SQL", "scheduled_time": "2030-01-01T10:00:00+00:00"},
    )
    db.session.commit()
    burst()
    [message] = smtp.wait_for(1)
    link = urlparse(message["List-Unsubscribe"].strip().strip("<>"))
    token = parse_qs(link.query)["token"][0]

    page = client.get(f"{UNSUBSCRIBE}?token={token}")  # no login needed
    assert page.status_code == 200
    # People's words, and what else stops: the calendar cancellations these mails carry.
    assert "Stop getting cancellation notices by email?" in page.text
    assert "also stops the calendar cancellations" in page.text
    assert b'method="post"' in page.data
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert readability.problems(page.text) == []
    # GET changed nothing (link scanners fetch every URL).
    rows = notification_service.send_notification(
        student.email,
        "session_cancelled",
        {"topic": "SQL", "scheduled_time": "2030-01-01T10:00:00+00:00"},
    )
    assert rows[0].status == "pending"
    db.session.rollback()

    # RFC 8058 one-click: a POST with that body, as a mail client sends it.
    response = client.post(
        f"{UNSUBSCRIBE}?token={token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.data
    assert "no longer get cancellation notices by email" in response.text
    assert "Payment receipts and welcome emails still arrive" in response.text
    again = client.post(f"{UNSUBSCRIBE}?token={token}", headers={"Accept": "application/json"})
    assert again.get_json() == {"unsubscribed": ["session_cancelled"], "channel": "email"}
    rows = notification_service.send_notification(
        student.email,
        "session_cancelled",
        {"topic": "SQL", "scheduled_time": "2030-01-01T10:00:00+00:00"},
    )
    assert rows[0].status == "skipped"


def test_unsubscribe_after_queueing_is_honoured_at_send_time(client, db, student, smtp, burst):
    [row] = notification_service.send_notification(
        student.email, "new_message", {"sender_name": "Bo", "preview": "hi"}
    )
    db.session.commit()
    from mentorhub.notifications.preferences import unsubscribe_link

    url, _ = unsubscribe_link(student.id, "new_message")
    token = parse_qs(urlparse(url).query)["token"][0]
    assert client.post(f"{UNSUBSCRIBE}?token={token}").status_code == 200
    burst()  # delivers what is due, then exits: nothing else is on its way
    assert smtp.count() == 0
    db.session.expire_all()
    assert db.session.get(Notification, row.id).status == "skipped"


def test_locked_type_link_unsubscribes_from_all_optional_email(client, db, student):
    from mentorhub.notifications.preferences import unsubscribe_link

    url, label = unsubscribe_link(student.id, "welcome")
    assert label == "all optional emails"
    token = parse_qs(urlparse(url).query)["token"][0]
    response = client.post(f"{UNSUBSCRIBE}?token={token}", headers={"Accept": "application/json"})
    optional = [name for name, kind in TYPES.items() if not kind.locked_channels]
    assert sorted(response.get_json()["unsubscribed"]) == sorted(optional)
    # Security and payment mail still goes out.
    rows = notification_service.send_notification(student.email, "welcome", {"name": "A"})
    assert rows[0].status == "pending"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("query, status", [("", 422), ("?token=", 422), ("?token=forged.sig", 400)])
def test_unsubscribe_rejects_missing_or_forged_tokens(client, db, method, query, status):
    response = getattr(client, method)(f"{UNSUBSCRIBE}{query}")
    assert response.status_code == status
    assert db.session.scalars(select(Notification)).all() == []


def test_token_signed_with_another_key_is_refused(client, student):
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("another-secret", salt="mentorhub.notifications.unsubscribe").dumps(
        {"u": student.id, "t": "new_message"}
    )
    assert client.post(f"{UNSUBSCRIBE}?token={forged}").status_code == 400
