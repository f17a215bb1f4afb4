"""Email: messages built with the standard library, rendered from Jinja, sent over smtplib.

Callers use the names below; the modules behind them may change.
"""

from mentorhub.mail.message import RenderedEmail, sender_domain
from mentorhub.mail.rendering import render_email, render_generic
from mentorhub.mail.service import (
    EmailDeliveryError,
    EmailRejected,
    SMTPUnavailable,
    email_service,
    init_mail,
)
from mentorhub.mail.smtp import PersistentSMTP, close_quietly, open_smtp, worker_smtp

__all__ = [
    "EmailDeliveryError",
    "EmailRejected",
    "PersistentSMTP",
    "RenderedEmail",
    "SMTPUnavailable",
    "close_quietly",
    "email_service",
    "init_mail",
    "open_smtp",
    "render_email",
    "render_generic",
    "sender_domain",
    "worker_smtp",
]
