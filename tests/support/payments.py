"""The payment provider's side of the webhook: signed events, as the provider sends them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from mentorhub.models import Payment

WEBHOOK = "/api/v1/payments/webhook"
WEBHOOK_SECRET = "whsec-test-secret-for-the-payment-provider"


def sign(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The X-MentorHub-Signature header value for `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def payment_event(session_id: int, event_id: str = "evt_001", **fields) -> dict:
    """A valid payment event for a session, as the provider sends it."""
    return {
        "event_id": event_id,
        "session_id": session_id,
        "amount": "49.90",
        "currency": "usd",
        "payer_email": "Payer@Example.com",
        **fields,
    }


def post_webhook(
    client,
    payload: dict | bytes,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
    **sign_kwargs,
):
    """POST a payment event (a dict or raw bytes), signed unless `signature` says otherwise.

    An empty `signature` sends no signature header at all; `headers` are sent as well.
    """
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    header = sign(body, **sign_kwargs) if signature is None else signature
    sent = {**(headers or {}), **({"X-MentorHub-Signature": header} if header else {})}
    return client.post(WEBHOOK, data=body, headers=sent, content_type="application/json")


def stored_payments(db) -> list:
    """Every payment row, read afresh."""
    db.session.expire_all()
    return db.session.query(Payment).all()
