"""Each registered type goes from send_notification to the SMTP server through a real worker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mentorhub.jobs.notifications import deliver_notifications
from mentorhub.models import Notification
from mentorhub.notifications.types import TYPES
from mentorhub.services.notifications import notification_service
from tests.support.notifications import MESSAGE


def _sample(type_name: str) -> dict:
    """The type's first sample, with a bit of markup in it to see it escaped."""
    kind = TYPES[type_name]
    data = next(iter(kind.samples(datetime.now(UTC)).values()))
    # No session behind it: a reminder of an unknown session would rightly not be sent.
    data.pop("session_id", None)
    return {**data, **({"topic": "Rust <basics>"} if "topic" in kind.required else {})}


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.mark.parametrize("type_name", list(TYPES))
def test_each_type_is_delivered_in_html_and_text(type_name, app, db, make_user, smtp):
    data = _sample(type_name)
    # What the reader must find: the data the type requires, times and amounts aside (those
    # are written for the reader).
    skip = ("time", "amount", "currency")
    required = [k for k in TYPES[type_name].required if not any(word in k for word in skip)]
    expected = [str(data[k]) for k in required]
    make_user("ada@example.com", name="Ada")
    rows = notification_service.send_notification("ADA@example.com", type_name, data)
    db.session.commit()
    assert [(r.channel, r.status) for r in rows] == [("email", "pending")]
    row_id = rows[0].id

    deliver_notifications([row_id])  # the job a worker runs (test_faults runs real workers)

    [message] = smtp.wait_for(1)
    assert message["To"] == "ada@example.com"  # the stored address, not as it was typed
    # The wording is the templates' business; the subject must carry the event's data, except
    # in account mail: its address is not confirmed, so no sign-up text goes in its subject.
    carried = [fragment.split()[0] in message["Subject"] for fragment in expected]
    if TYPES[type_name].account_mail:
        assert not any(carried), message["Subject"]
    else:
        assert not expected or any(carried)
    assert message["Message-ID"] == f"<notification-{row_id}@mentorhub.com>"
    text, html = _parts(message)
    for fragment in expected:
        assert fragment in text
    assert "<html" in html
    for fragment in expected:
        assert fragment.replace("<", "&lt;").replace(">", "&gt;") in html  # escaped in HTML
    stored = db.session.get(Notification, row_id)
    assert (stored.status, stored.attempts) == ("sent", 1)
    assert stored.sent_at is not None


def test_every_notification_email_carries_one_click_unsubscribe(app, db, make_user, smtp):
    make_user("ada@example.com")
    [row] = notification_service.send_notification(
        "ada@example.com", "new_message", {"sender_name": "Grace", "preview": "Can we move to 4pm?"}
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
        notification_service.send_notification(address, "new_message", MESSAGE)
        db.session.commit()
    # One wake-up job waits in the queue, not twenty work orders.
    assert redis_client.llen("rq:queue:notifications") == 1

    burst()
    assert sorted(m["To"] for m in smtp.messages) == sorted(emails)
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(Notification))} == {"sent"}
