"""Each of the six types goes from send_notification to the SMTP server through a real worker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mentorhub.jobs.notifications import deliver_notifications
from mentorhub.models import Notification
from mentorhub.services.notifications import notification_service

SESSION_TIME = "2030-02-20T15:00:00+00:00"
CASES = {
    "welcome": ({"name": "Zoë Lovelace"}, "Welcome to MentorHub", ["Zoë Lovelace"]),
    "session_confirmed": (
        {
            "topic": "React Hooks",
            "scheduled_time": SESSION_TIME,
            "meeting_link": "https://m.example/r1",
        },
        "React Hooks",
        ["React Hooks", "Wed 20 Feb 2030, 15:00 UTC", "https://m.example/r1"],
    ),
    "session_reminder": (
        {
            "topic": "Rust <basics>",
            "scheduled_time": SESSION_TIME,
            "meeting_link": "https://m.example/r2",
            "time_until": "in 1 hour",
        },
        "Rust <basics>",
        ["Rust", "in 1 hour", "https://m.example/r2"],
    ),
    "session_cancelled": (
        {
            "topic": "SQL",
            "scheduled_time": SESSION_TIME,
            "reason": "Sick",
            "cancelled_by_name": "Bo",
        },
        "SQL",
        ["SQL", "Sick", "Bo", "Wed 20 Feb 2030, 15:00 UTC"],
    ),
    "new_message": (
        {"sender_name": "Grace", "preview": "Can we move to 4pm?"},
        "Grace",
        ["Grace", "Can we move to 4pm?"],
    ),
    "payment_received": (
        {"amount": "49.50", "currency": "EUR", "topic": "Career chat"},
        "49.50",
        ["49.50", "Career chat"],
    ),
}


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.mark.parametrize("type_name", list(CASES))
def test_each_type_is_delivered_in_html_and_text(type_name, app, db, make_user, smtp):
    data, subject, expected = CASES[type_name]
    make_user("ada@example.com", name="Ada")
    rows = notification_service.send_notification("ADA@example.com", type_name, data)
    db.session.commit()
    assert [(r.channel, r.status) for r in rows] == [("email", "pending")]
    row_id = rows[0].id

    deliver_notifications([row_id])  # the job a worker runs (test_faults runs real workers)

    [message] = smtp.wait_for(1)
    assert message["To"] == "ada@example.com"  # the stored address, not as it was typed
    # The wording is the templates' business; the subject must carry the event's data.
    assert subject in message["Subject"]
    assert message["Message-ID"] == f"<notification-{row_id}@mentorhub.com>"
    text, html = _parts(message)
    for fragment in expected:
        assert fragment in text
    assert "<html" in html
    if type_name == "session_reminder":
        assert "Rust &lt;basics&gt;" in html  # user data is escaped in HTML
    else:
        for fragment in expected:
            assert fragment in html
    stored = db.session.get(Notification, row_id)
    assert (stored.status, stored.attempts) == ("sent", 1)
    assert stored.sent_at is not None


def test_every_notification_email_carries_one_click_unsubscribe(app, db, make_user, smtp):
    make_user("ada@example.com")
    [row] = notification_service.send_notification(
        "ada@example.com", "new_message", CASES["new_message"][0]
    )
    db.session.commit()
    deliver_notifications([row.id])
    [message] = smtp.wait_for(1)
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("http://127.0.0.1:5000/api/v1/notifications/unsubscribe?token=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = _parts(message)
    assert url in text
    assert url.replace("&", "&amp;") in html or url in html


def test_running_the_same_job_twice_sends_once(app, db, make_user, smtp, burst):
    make_user("ada@example.com")
    [row] = notification_service.send_notification("ada@example.com", "welcome", {"name": "Ada"})
    db.session.commit()
    # A duplicate delivery job for the same id, as RQ's at-least-once delivery can produce.
    from mentorhub.notifications.job_queue import enqueue

    assert enqueue({None: [row.id]})
    burst()  # runs both: the wake-up the commit enqueued and the duplicate work order
    assert smtp.count() == 1
    db.session.expire_all()
    assert db.session.get(Notification, row.id).status == "sent"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"notification_type": "birthday", "data": {}}, "unknown notification type"),
        ({"notification_type": "welcome", "data": {}}, "needs data name"),
        ({"notification_type": "welcome", "data": {"name": "A"}, "channels": ["sms"]}, "channel"),
        ({"notification_type": "welcome", "data": {"name": "A"}, "channels": []}, "channels"),
        ({"notification_type": "welcome", "data": {"name": object()}}, "JSON"),
        ({"notification_type": "welcome", "data": "name=A"}, "dict"),
    ],
)
def test_bad_input_is_a_value_error_and_stores_nothing(kwargs, message, app, db, make_user):
    make_user("ada@example.com")
    with pytest.raises(ValueError, match=message):
        notification_service.send_notification("ada@example.com", **kwargs)
    db.session.commit()
    assert db.session.scalars(select(Notification)).all() == []


def test_unknown_user_is_a_value_error(app, db):
    with pytest.raises(ValueError, match="no user"):
        notification_service.send_notification("ghost@example.com", "welcome", {"name": "G"})
    db.session.commit()
    assert db.session.scalars(select(Notification)).all() == []


def test_rolled_back_transaction_sends_nothing(app, db, make_user, smtp, redis_client):
    make_user("ada@example.com")
    notification_service.send_notification("ada@example.com", "welcome", {"name": "Ada"})
    db.session.rollback()
    assert redis_client.llen("rq:queue:notifications") == 0
    assert db.session.scalars(select(Notification)).all() == []


def test_in_app_channel_is_stored_as_delivered(app, db, make_user):
    make_user("ada@example.com")
    rows = notification_service.send_notification(
        "ada@example.com", "welcome", {"name": "Ada"}, channels=["in_app", "email"]
    )
    db.session.commit()
    assert [(r.channel, r.status) for r in rows] == [("in_app", "sent"), ("email", "pending")]


def test_small_commits_share_one_wake_up_and_one_drain_delivers_them_all(
    app, db, make_user, smtp, burst, redis_client
):
    emails = [make_user(f"user{n}@example.com").email for n in range(20)]
    redis_client.delete("rq:queue:notifications")
    for address in emails:  # one notification per transaction, as requests commit them
        notification_service.send_notification(address, "welcome", {"name": "You"})
        db.session.commit()
    # One wake-up job waits in the queue, not twenty work orders.
    assert redis_client.llen("rq:queue:notifications") == 1

    burst()
    assert sorted(m["To"] for m in smtp.messages) == sorted(emails)
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(Notification))} == {"sent"}
