"""The email service: `email_service.send_*` send what the calling code asks, and say if they did.

Each call renders from the templates in templates/email/ and sends over SMTP before it returns
(or logs the mail when SMTP is not configured, which counts as done). They never raise: a refused
address, a server that is down or a template error is logged and answered with False. They need
an app context, for the settings and the templates.

Mail about the platform's own events does not come through here: it is written to the
notification outbox with the event (`mentorhub.services.notifications`) and sent by the workers,
with retries. Use this service for mail that code sends on its own account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from mentorhub.extensions import db
from mentorhub.mail import (
    EmailDeliveryError,
    EmailRejected,
    PersistentSMTP,
    RenderedEmail,
    render_email,
    render_generic,
    send_rendered,
)
from mentorhub.models import User
from mentorhub.notifications.types import get_type

logger = logging.getLogger(__name__)


class EmailService:
    """Send emails: a free-form one, or one of the product's own (welcome, session mail)."""

    def send_email(self, to_email: str, subject: str, body: str, html: bool = False) -> bool:
        """Send a free-form email; `html=True` means `body` is HTML."""
        return self._send(lambda: render_generic(to_email, subject, body, html))

    def send_welcome_email(self, email: str, name: str) -> bool:
        """Welcome a new user."""
        return self._send(lambda: render_email(email, get_type("welcome"), {"name": name}))

    def send_session_confirmation(
        self, email: str, topic: str, time: datetime | str, time_zone: str | None = None
    ) -> bool:
        """Confirm a booked session, its time written in the reader's zone.

        A time without a zone is UTC. It is written in `time_zone` when given, else in the
        recipient's own zone when the address is a user's, else in UTC.
        """

        def render() -> RenderedEmail:
            zone = time_zone or _users_zone(email)
            data = {"topic": topic, "scheduled_time": _iso(time), "time_zone": zone}
            return render_email(email, get_type("session_confirmed"), data)

        return self._send(render)

    def send_session_reminder(self, email: str, topic: str, link: str, time_until: str) -> bool:
        """Remind a participant of an upcoming session."""
        data = {"topic": topic, "meeting_link": link, "time_until": time_until}
        data["scheduled_time"] = None
        return self._send(lambda: render_email(email, get_type("session_reminder"), data))

    def deliver(self, email: RenderedEmail, smtp: PersistentSMTP | None = None) -> bool:
        """Send a rendered email, raising EmailRejected or EmailDeliveryError when it is not.

        True if sent, False if only logged (SMTP not configured). With `smtp`, that kept
        connection is used.
        """
        return send_rendered(email, smtp)

    def _send(self, render: Callable[[], RenderedEmail]) -> bool:
        try:
            send_rendered(render())
            return True
        except EmailRejected as error:
            logger.warning("email refused: %s", error)
        except EmailDeliveryError as error:
            logger.error("email delivery failed: %s", error)
        except Exception:  # noqa: BLE001 - the contract is "never raises"; the traceback is logged
            logger.exception("email could not be prepared")
        return False


def _users_zone(address: str) -> str | None:
    """The time zone of the user with this address, if there is one."""
    return db.session.scalar(select(User.timezone).where(User.email == address.strip().lower()))


def _iso(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


email_service = EmailService()
