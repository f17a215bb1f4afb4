"""Constants and helpers shared by the domain API tests (a uniquely named module, not conftest)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

WEBHOOK_SECRET = "whsec-test-secret-for-the-payment-provider"
SESSIONS = "/api/v1/sessions"


def iso(moment: datetime) -> str:
    """An ISO 8601 timestamp with its offset, as clients send it."""
    return moment.isoformat()


def in_hours(hours: float) -> datetime:
    """A UTC moment `hours` from the real now, on a whole minute."""
    moment = datetime.now(UTC) + timedelta(hours=hours)
    return moment.replace(second=0, microsecond=0)


def session_action(client, path: str, headers: dict, **kwargs):
    """POST to /sessions<path> (e.g. "/3/cancel") with `headers`."""
    return client.post(f"{SESSIONS}{path}", headers=headers, **kwargs)


def sign(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The X-MentorHub-Signature header value for `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stored_payments(db) -> list:
    """Every payment row, read afresh."""
    from mentorhub.models import Payment

    db.session.expire_all()
    return db.session.query(Payment).all()


def concurrently(app, requests: list[Callable]) -> list[int]:
    """Send each request (a function of a test client) from its own thread at once; statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def run(request: Callable) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(request(client).status_code)

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)
