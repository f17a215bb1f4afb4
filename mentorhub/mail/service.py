"""Email service: HTML and text parts from Jinja templates, over Flask-Mail's SMTP settings.

`email_service.send_*` return True or False. The notification pipeline uses `deliver`, which
raises `EmailRejected` (permanent: do not retry) or `EmailDeliveryError` (transient: retry).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app

from mentorhub.mail.mime import envelope_address
from mentorhub.mail.rendering import RenderedEmail, render_email, render_generic
from mentorhub.mail.smtp import PersistentSMTP, open_connection

logger = logging.getLogger(__name__)


class EmailDeliveryError(Exception):
    """The mail was not accepted this time (server down, timeout, 4xx): retry later."""


class SMTPUnavailable(EmailDeliveryError):
    """No connection to the SMTP server could be opened."""


class EmailRejected(Exception):
    """The mail can never be delivered as it is (invalid address, header injection, 5xx)."""


def init_mail_settings(app: Flask) -> None:
    """Map the spec's SMTP_* variables onto Flask-Mail's settings."""
    config = app.config
    config.setdefault("MAIL_SERVER", config.get("SMTP_HOST") or "localhost")
    config.setdefault("MAIL_PORT", config["SMTP_PORT"])
    config.setdefault("MAIL_USERNAME", config.get("SMTP_USER"))
    config.setdefault("MAIL_PASSWORD", config.get("SMTP_PASSWORD"))
    config.setdefault("MAIL_USE_TLS", config["SMTP_USE_TLS"])
    config.setdefault("MAIL_USE_SSL", config["SMTP_USE_SSL"])
    config.setdefault("MAIL_DEFAULT_SENDER", config["FROM_EMAIL"])
    # Flask-Mail suppresses sending under TESTING; our tests deliver to a real SMTP server, and
    # "SMTP not configured" is handled by logging instead (see EmailService.deliver).
    config.setdefault("MAIL_SUPPRESS_SEND", False)


def smtp_configured() -> bool:
    """Whether SMTP_HOST is set; without it mail is logged instead of sent."""
    return bool(current_app.config.get("SMTP_HOST"))


class EmailService:
    """The spec's email service."""

    def send_email(self, to_email: str, subject: str, body: str, html: bool = False) -> bool:
        """Send a free-form email; `html=True` means `body` is HTML."""
        return self._send(lambda: render_generic(to_email, subject, body, html))

    def send_welcome_email(self, email: str, name: str) -> bool:
        """Welcome a new user."""
        return self._send(lambda: render_email(email, "welcome", {"name": name}))

    def send_session_confirmation(self, email: str, topic: str, time: datetime | str) -> bool:
        """Confirm a booked session."""
        data = {"topic": topic, "scheduled_time": _iso(time)}
        return self._send(lambda: render_email(email, "session_confirmed", data))

    def send_session_reminder(self, email: str, topic: str, link: str, time_until: str) -> bool:
        """Remind a participant of an upcoming session."""
        data = {"topic": topic, "meeting_link": link, "time_until": time_until}
        data["scheduled_time"] = None
        return self._send(lambda: render_email(email, "session_reminder", data))

    def deliver(self, email: RenderedEmail, smtp: PersistentSMTP | None = None) -> bool:
        """Send one rendered email; True if sent, False if only logged (SMTP not configured).

        Raises EmailRejected or EmailDeliveryError. With `smtp`, the kept connection is used.
        """
        check_headers(email)
        if not smtp_configured():
            logger.info(
                "email not sent (SMTP not configured): to=%s subject=%s", email.to, email.subject
            )
            return False
        sender = current_app.config["FROM_EMAIL"]
        try:
            # Written directly rather than through Flask-Mail's Message: see email_mime.
            message = email.as_bytes(sender)
            envelope = envelope_address(sender), [envelope_address(email.to)]
        except UnicodeError as error:
            # A non-ASCII local part needs SMTPUTF8, which we do not use: it fails every time.
            logger.warning("email refused: %r needs SMTPUTF8", email.to)
            raise EmailRejected(f"address needs SMTPUTF8: {email.to!r}") from error
        try:
            connection = smtp.get() if smtp is not None else open_connection()
        except (smtplib.SMTPException, OSError) as error:
            raise SMTPUnavailable(f"cannot connect: {type(error).__name__}: {error}") from error
        try:
            if connection.host is not None:  # None when MAIL_SUPPRESS_SEND is on
                connection.host.sendmail(*envelope, message)
        except smtplib.SMTPRecipientsRefused as error:
            # smtplib reset the transaction: the connection stays usable.
            codes = [code for code, _ in error.recipients.values()]
            raise _by_code(min(codes, default=550), f"recipient refused: {codes}") from error
        except smtplib.SMTPDataError as error:
            raise _by_code(error.smtp_code, f"message refused: {error.smtp_code}") from error
        except BaseException as error:
            # Mid-transaction failure: the connection's state is unknown, never reuse it.
            if smtp is not None:
                smtp.discard()
            if isinstance(error, (smtplib.SMTPException, OSError)):
                raise EmailDeliveryError(f"{type(error).__name__}: {error}") from error
            raise
        finally:
            if smtp is None:
                connection.close()
        return True

    def _send(self, render) -> bool:
        try:
            email = render()
            self.deliver(email)
            return True
        except EmailRejected as error:
            logger.warning("email refused: %s", error)
        except EmailDeliveryError as error:
            logger.error("email delivery failed: %s", error)
        except Exception:  # noqa: BLE001 - the contract is "never raises"; the traceback is logged
            logger.exception("email could not be prepared")
        return False


def check_headers(email: RenderedEmail) -> None:
    """Refuse an invalid recipient, or CR/LF in any header value (header injection)."""
    values = [email.to, email.subject, current_app.config["FROM_EMAIL"], *email.headers.values()]
    if email.message_id:
        values.append(email.message_id)
    if any("\r" in value or "\n" in value for value in values):
        logger.warning("email refused: CR/LF in a header value (to=%r)", email.to)
        raise EmailRejected("CR/LF in a header value")
    try:
        validate_email(email.to, check_deliverability=False)
    except EmailNotValidError:
        logger.warning("email refused: invalid recipient %r", email.to)
        raise EmailRejected(f"invalid recipient {email.to!r}") from None


def _by_code(code: int, text: str) -> Exception:
    return EmailRejected(text) if code >= 500 else EmailDeliveryError(text)


def _iso(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


email_service = EmailService()
