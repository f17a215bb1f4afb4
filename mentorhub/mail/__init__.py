"""Email: messages built with the standard library, rendered from Jinja, sent over smtplib.

Callers use the names below; the modules behind them may change. What the rest of the app calls
to send mail is `mentorhub.services.email` (now) or the notification outbox (by the workers).
"""

from mentorhub.mail.message import RenderedEmail, app_sender, sender_domain
from mentorhub.mail.rendering import render_email, render_generic
from mentorhub.mail.sender import (
    EmailDeliveryError,
    EmailRejected,
    SMTPUnavailable,
    init_mail,
    outgoing_message,
    send_rendered,
)
from mentorhub.mail.smtp import PersistentSMTP, close_quietly, open_smtp, worker_smtp

__all__ = [
    "EmailDeliveryError",
    "EmailRejected",
    "PersistentSMTP",
    "RenderedEmail",
    "app_sender",
    "SMTPUnavailable",
    "close_quietly",
    "init_mail",
    "open_smtp",
    "outgoing_message",
    "render_email",
    "render_generic",
    "send_rendered",
    "sender_domain",
    "worker_smtp",
]
