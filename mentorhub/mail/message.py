"""A rendered email, and the standard library's `EmailMessage` built from it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache

from flask import current_app

from mentorhub.mail.addresses import AddressError, recipient, sender_address

__all__ = ["AddressError", "RenderedEmail", "app_sender", "build_message", "recipient"]


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, building each header's class once rather than per use."""

    def __init__(self) -> None:
        super().__init__()
        self._built: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        """The class for header `name` (the registry's own, made on first use)."""
        key = name.lower()
        cls = self._built.get(key)
        if cls is None:
            cls = self._built[key] = super().__getitem__(name)
        return cls


# SMTP's own line limit rather than the recommended 78: a long unsubscribe URL has nowhere to
# fold, and the email package would otherwise turn it into encoded words no client follows.
# The header factory is the documented policy hook; the stock one makes a new class per header.
SMTP_POLICY = policy.SMTP.clone(max_line_length=998, header_factory=_HeaderClasses())


@dataclass
class RenderedEmail:
    """A message ready to send (`mentorhub.mail.sender.send_rendered`).

    `calendar` is optional iCalendar data and its METHOD (e.g. REQUEST, CANCEL): it becomes a
    `text/calendar` alternative beside the text and HTML, plus the same data as a
    `text/calendar` attachment named `calendar_filename`, for clients that only read
    attachments.
    """

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None
    calendar: tuple[bytes, str] | None = None
    calendar_filename: str = "invite.ics"

    def to_message(self, sender: Address, reply_to: Address | None = None) -> EmailMessage:
        """The whole message, with SMTP's line ends and header folding."""
        return build_message(self, sender, reply_to)

    def as_bytes(self, sender: str | Address | None = None) -> bytes:
        """The message as `smtplib.SMTP.sendmail` takes it; the app's sender by default."""
        if isinstance(sender, str):
            sender = sender_address(sender)
        if sender is None:
            sender, reply_to = app_sender()
        else:
            reply_to = None
        return self.to_message(sender, reply_to).as_bytes()


def build_message(
    email: RenderedEmail, sender: Address, reply_to: Address | None = None
) -> EmailMessage:
    """Build `email` as multipart/alternative (text, HTML[, calendar]), mixed with an .ics."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = email.subject
    message["From"] = sender
    message["To"] = recipient(email.to)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(datetime.now(UTC))
    # A domain of our own: without one make_msgid asks the resolver for this host's name.
    message["Message-ID"] = email.message_id or make_msgid(domain=sender.domain)
    # RFC 3834: nobody typed this mail, so autoresponders (out-of-office replies) stay quiet;
    # Exchange reads its own header for the same thing.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    # Our own random boundary: the generator would otherwise compile a regex per message to
    # pick one. 96 random bits cannot be guessed by whoever writes a message body.
    message.set_boundary(f"=_mentorhub_{secrets.token_hex(12)}")
    if email.calendar is not None:
        ics, method = email.calendar
        message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})
        message.make_mixed()
        message.add_attachment(
            ics.decode("utf-8"),
            subtype="calendar",
            params={"method": method},
            filename=email.calendar_filename,
        )
        message.set_boundary(f"=_mentorhub_{secrets.token_hex(12)}")
    return message


def app_sender() -> tuple[Address, Address | None]:
    """The app's From (named after the platform if FROM_EMAIL has no name) and Reply-To."""
    config = current_app.config
    return _senders(config["FROM_EMAIL"], config.get("REPLY_TO_EMAIL"), config["PLATFORM_NAME"])


@lru_cache(maxsize=16)
def _senders(from_email: str, reply_to: str | None, platform: str):
    # Parsed once per setting: every mail of a worker has the same sender.
    return sender_address(from_email, platform), sender_address(reply_to) if reply_to else None


def sender_domain() -> str:
    """The domain of the app's From address, for Message-IDs."""
    return app_sender()[0].domain
