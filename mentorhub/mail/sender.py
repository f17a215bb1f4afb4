"""Sending one rendered email over smtplib, with a timeout, and what its failures mean.

`send_rendered` raises `EmailRejected` (permanent: do not retry) or `EmailDeliveryError`
(transient: retry later); the notification pipeline and `mentorhub.services.email` decide what
to do about each.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import Flask, current_app

from mentorhub.mail.message import AddressError, RenderedEmail, app_sender
from mentorhub.mail.settings_check import check_mail_settings
from mentorhub.mail.smtp import PersistentSMTP, close_quietly, init_smtp, open_smtp

logger = logging.getLogger(__name__)


class EmailDeliveryError(Exception):
    """The mail was not accepted this time (server down, timeout, 4xx): retry later."""


class SMTPUnavailable(EmailDeliveryError):
    """No connection to the SMTP server could be opened."""


class EmailRejected(Exception):
    """The mail can never be delivered as it is (invalid address, header injection, 5xx)."""


def init_mail(app: Flask) -> None:
    """Check the mail settings (ConfigError naming a bad one), then give the app its SMTP
    connection."""
    check_mail_settings(app.config)
    init_smtp(app)


def smtp_configured() -> bool:
    """Whether mail goes out: SMTP_HOST set and EMAIL_BACKEND not `log`; else it is logged."""
    config = current_app.config
    return bool(config.get("SMTP_HOST")) and config.get("EMAIL_BACKEND") != "log"


def send_rendered(email: RenderedEmail, smtp: PersistentSMTP | None = None) -> bool:
    """Send one rendered email; True if sent, False if only logged (SMTP not configured).

    Raises EmailRejected or EmailDeliveryError. With `smtp`, the kept connection is used.
    """
    message = outgoing_message(email)
    sender = message["From"].addresses[0]
    if not smtp_configured():
        logger.info(
            "email not sent (SMTP not configured): to=%s subject=%s", email.to, email.subject
        )
        return False
    envelope = sender.addr_spec, [message["To"].addresses[0].addr_spec]
    try:
        connection = smtp.get() if smtp is not None else open_smtp(current_app.config)
    except (smtplib.SMTPException, OSError) as error:
        raise SMTPUnavailable(f"cannot connect: {type(error).__name__}: {error}") from error
    try:
        connection.sendmail(*envelope, message.as_bytes())
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
            close_quietly(connection)
    return True


def outgoing_message(email: RenderedEmail) -> EmailMessage:
    """The message exactly as delivery sends it: checked, from the app's sender; EmailRejected."""
    check_headers(email)
    sender, reply_to = app_sender()
    try:
        return email.to_message(sender, reply_to)
    except AddressError as error:
        logger.warning("email refused: %s", error)
        raise EmailRejected(str(error)) from None


def check_headers(email: RenderedEmail) -> None:
    """Refuse CR/LF in any header value (header injection), or an invalid recipient."""
    values = [email.to, email.subject, *email.headers.values()]
    if email.message_id:
        values.append(email.message_id)
    if any("\r" in value or "\n" in value for value in values):
        logger.warning("email refused: CR/LF in a header value (to=%r)", email.to)
        raise EmailRejected("CR/LF in a header value")


def _by_code(code: int, text: str) -> Exception:
    return EmailRejected(text) if code >= 500 else EmailDeliveryError(text)
