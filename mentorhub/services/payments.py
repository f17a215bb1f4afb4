"""Recording payments reported by the provider's webhook, once per provider event."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from mentorhub.errors import Unprocessable
from mentorhub.extensions import db
from mentorhub.models import MentorSession, Payment
from mentorhub.notifications import events
from mentorhub.services.transactions import insert_once, retry_on_conflict

UNKNOWN_SESSION = {"session_id": ["No session with this id."]}


@retry_on_conflict
def record_payment(
    event_id: str, session_id: int, amount: Decimal, currency: str, payer_email: str
) -> tuple[Payment, bool]:
    """Store the payment unless `event_id` was seen; return it and whether it is new."""
    existing = _payment_for_event(event_id)
    if existing is not None:
        return existing, False
    if db.session.get(MentorSession, session_id) is None:
        raise Unprocessable(errors=UNKNOWN_SESSION)
    payment = Payment(
        event_id=event_id,
        session_id=session_id,
        amount=amount,
        currency=currency,
        payer_email=payer_email,
    )
    if insert_once(payment, lambda: events.payment_received(payment)):
        return payment, True
    # A concurrent delivery of the same event committed first: the unique event_id decides,
    # and this delivery is a replay. Otherwise the session vanished meanwhile.
    existing = _payment_for_event(event_id)
    if existing is None:
        raise Unprocessable(errors=UNKNOWN_SESSION)
    return existing, False


def _payment_for_event(event_id: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.event_id == event_id))
