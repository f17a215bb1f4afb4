"""The documentation's examples of the email and notification services, run as written where
Python allows, against a real SMTP server and a real worker.
"""

from __future__ import annotations

import logging

from mentorhub.services.email import email_service
from mentorhub.services.notifications import notification_service

logger = logging.getLogger(__name__)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_welcome_example_sends_at_once(app, smtp):
    email_service.send_welcome_email("user@example.com", "John Doe")
    # Sent before the call returned: no worker is involved.
    [message] = smtp.messages
    assert message["To"] == "user@example.com"
    assert message["Subject"] == "Welcome to MentorHub"
    assert "Hi John Doe," in _text(message)


def _send_the_documented_notification() -> None:
    # Documented as `await notification_service.send_notification(...)`: here the call is
    # synchronous; it writes the outbox row, and the workers deliver it after the commit.
    notification_service.send_notification(
        user_email="user@example.com",
        notification_type="session_confirmed",
        data={"topic": "React Hooks", "scheduled_time": "2024-02-20 15:00"},
        channels=["email"],
    )


def test_the_notification_example_is_delivered_by_a_worker(app, db, make_user, smtp, burst):
    make_user("user@example.com", name="John Doe")
    _send_the_documented_notification()
    assert smtp.count() == 0  # only written so far
    db.session.commit()
    burst()
    [message] = smtp.messages
    assert message["To"] == "user@example.com"
    assert "React Hooks" in message["Subject"]
    # The user's zone is UTC (the default): the naive time is read as UTC.
    assert "Tue 20 Feb 2024, 15:00 UTC" in _text(message)


def test_a_naive_time_is_shown_in_the_readers_own_zone(app, db, make_user, smtp, burst):
    user = make_user("user@example.com", name="John Doe")
    user.timezone = "Europe/Berlin"
    db.session.commit()
    _send_the_documented_notification()
    db.session.commit()
    burst()
    [message] = smtp.messages
    text = _text(message)
    assert "16:00 CET" in message["Subject"]
    assert "Tue 20 Feb 2024, 16:00 CET (UTC+01:00)" in text
    assert "15:00" not in text and "15:00" not in message["Subject"]


def test_a_confirmation_sent_at_once_is_in_the_users_zone_too(app, db, make_user, smtp):
    user = make_user("user@example.com")
    user.timezone = "Europe/Berlin"
    db.session.commit()
    assert email_service.send_session_confirmation("user@example.com", "SQL", "2024-02-20 15:00")
    # An address that is nobody's reads in UTC; a zone given by the caller wins.
    assert email_service.send_session_confirmation("guest@example.com", "SQL", "2024-02-20 15:00")
    assert email_service.send_session_confirmation(
        "user@example.com", "SQL", "2024-02-20 15:00", time_zone="Asia/Tokyo"
    )
    berlin, utc, tokyo = (_text(message) for message in smtp.messages)
    assert "Tue 20 Feb 2024, 16:00 CET" in berlin
    assert "Tue 20 Feb 2024, 15:00 UTC" in utc
    assert "Wed 21 Feb 2024, 00:00 JST" in tokyo


def test_nothing_is_sent_when_the_transaction_rolls_back(app, db, make_user, smtp, burst):
    make_user("user@example.com")
    _send_the_documented_notification()
    db.session.rollback()
    burst()
    assert smtp.count() == 0


def _documented_error_handling() -> None:
    try:
        result = email_service.send_email("user@example.com", "Hello", "A line of text.")
        if result:
            logger.info("Email sent successfully")
        else:
            logger.warning("Email sending failed")
    except Exception as e:  # noqa: BLE001 - the documented pattern
        logger.error(f"Email error: {e}")


def test_the_error_handling_example_sees_true_then_false(app, smtp, caplog):
    caplog.set_level(logging.INFO, logger=__name__)
    _documented_error_handling()
    assert smtp.count() == 1
    smtp.stop()
    _documented_error_handling()
    ours = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == __name__]
    # A server that is down is a False, never an exception for the caller to catch.
    assert ours == [("INFO", "Email sent successfully"), ("WARNING", "Email sending failed")]
