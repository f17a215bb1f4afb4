"""The first version's email service on a real SMTP server: True/False, never raising."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from mentorhub.services.email import email_service
from tests.support.servers import free_port


def _parts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_the_four_methods_send_html_and_text(app, smtp):
    assert email_service.send_welcome_email("ada@example.com", "Ada") is True
    assert email_service.send_session_confirmation(
        "ada@example.com", "SQL", "2030-01-02T09:30:00+00:00"
    )
    assert email_service.send_session_reminder(
        "ada@example.com", "SQL", "https://meet.example.com/x", "in 1 hour"
    )
    assert email_service.send_email("ada@example.com", "Hello", "Line one\n\nLine <two>")
    welcome, confirmation, reminder, generic = smtp.wait_for(4)
    assert "Hi Ada," in _parts(welcome)[0]
    assert "Wed 02 Jan 2030, 09:30 UTC" in _parts(confirmation)[1]
    assert reminder["Subject"] == "In 1 hour: SQL"
    assert "https://meet.example.com/x" in _parts(reminder)[0]
    text, html = _parts(generic)
    assert "Line <two>" in text
    assert "Line &lt;two&gt;" in html


def test_html_body_gets_a_text_part_of_its_words(app, smtp):
    assert email_service.send_email(
        "ada@example.com", "Hi", "<p>Hello <b>Ada</b></p><p>Bye</p>", html=True
    )
    [message] = smtp.wait_for(1)
    text, html = _parts(message)
    assert "<b>Ada</b>" in html
    assert "Hello Ada\r\nBye" in text


@pytest.mark.parametrize(
    "to, subject",
    [
        ("not-an-address", "Hi"),
        ("ada@example.com\r\nBcc: victim@example.com", "Hi"),
        ("ada@example.com", "Hi\r\nBcc: victim@example.com"),
        ("ada@example.com", "Hi\nthere"),
    ],
)
def test_invalid_recipient_or_header_injection_sends_nothing(app, smtp, caplog, to, subject):
    caplog.set_level(logging.WARNING, logger="mentorhub.mail.sender")
    assert email_service.send_email(to, subject, "body") is False
    assert "email refused" in caplog.text
    # send_email returns only after the attempt: a refused mail never reached the server.
    assert smtp.count() == 0


def test_unconfigured_smtp_logs_recipient_and_subject(make_app, caplog):
    app = make_app()  # no SMTP_HOST
    caplog.set_level(logging.INFO, logger="mentorhub.mail.sender")
    with app.app_context():
        assert email_service.send_welcome_email("ada@example.com", "Ada") is True
    assert "to=ada@example.com subject=Welcome to MentorHub" in caplog.text


def test_log_backend_logs_instead_of_sending(make_app, smtp, caplog):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), EMAIL_BACKEND="log")
    caplog.set_level(logging.INFO, logger="mentorhub.mail.sender")
    with app.app_context():
        assert email_service.send_email("ada@example.com", "Hi", "body") is True
    # send_email returns after the attempt: had it sent, the server would have the message.
    assert "email not sent (SMTP not configured): to=ada@example.com" in caplog.text
    assert smtp.count() == 0


def test_server_down_is_false_not_an_exception(app, smtp, caplog):
    smtp.stop()
    assert email_service.send_email("ada@example.com", "Hi", "body") is False
    assert "ConnectionRefusedError" in caplog.text


def test_a_server_that_never_answers_times_out(make_app):
    # Accepts TCP connections and says nothing: without a timeout smtplib would wait forever.
    with socket.socket() as silent:
        port = free_port()
        silent.bind(("127.0.0.1", port))
        silent.listen()
        app = make_app({"SMTP_TIMEOUT": 1.0}, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
        with app.app_context():
            started = time.monotonic()
            assert email_service.send_email("ada@example.com", "Hi", "body") is False
            assert time.monotonic() - started < 5
