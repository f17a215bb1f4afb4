"""Idempotency keys: the first request with a key does the work, a repeat gets its answer.

`claim` runs before the work: it records the key as running, in a transaction of its own and
committed at once, so that a second request with the key sees it (the unique owner and key
decide which of two simultaneous requests claimed it). The work then runs as usual; `complete`
stores its answer, or `release` forgets the key when the work failed (a 5xx, or an exception),
so the client can try again. A request that died without either (its process killed) holds the
key only until its lease lapses; a retry then takes the key over. Keys expire after
IDEMPOTENCY_KEY_HOURS, and the retention job deletes them.

Records are written on connections of their own, never in the request's session: a view's own
transaction decides nothing about them, and they never commit anything the view left pending.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mentorhub.errors import Conflict, Unprocessable, discard_session
from mentorhub.extensions import db
from mentorhub.models import IdempotencyKey, utcnow

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
# A first request usually answers within a second; then the repeat gets its answer.
RETRY_AFTER_SECONDS = 1
# Tries to claim a key that is being pruned or taken over at the same moment.
ATTEMPTS = 3
KEYS = IdempotencyKey.__table__


class KeyInUse(Conflict, message="A request with this Idempotency-Key is still running."):
    """The first request with this key has not answered yet: send the request again later."""

    retry_after = RETRY_AFTER_SECONDS


class KeyReused(Unprocessable):
    """The key already came with another request (another method, path or body)."""

    def __init__(self) -> None:
        reason = "This key was already used for another request."
        super().__init__("Idempotency-Key reused.", errors={HEADER: [reason]})


@dataclass(frozen=True)
class Owner:
    """Whose keys: a user's (so they go with the account), or a service's, such as the
    payment provider's (`user_id` None)."""

    name: str
    user_id: int | None = None


PAYMENT_PROVIDER = Owner("payment-provider")


def user_keys(user_id: int) -> Owner:
    """The keys of one user."""
    return Owner(f"user:{user_id}", user_id)


@dataclass(frozen=True)
class Answer:
    """A stored answer: status, the headers worth repeating, and the body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """The right to do the work for a key, until its answer is stored or it is released."""

    record_id: int
    token: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What a key's request is compared by: its method, path with query, and body."""
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()


def claim(owner: Owner, key: str, request_fingerprint: str) -> Claim | Answer:
    """Claim `key` for this request, or return the answer its first request got.

    Raises KeyReused (422) when the key came with another request, and KeyInUse (409, with
    Retry-After) while the first request still runs.
    """
    for _ in range(ATTEMPTS):
        token = secrets.token_hex(16)
        record_id = _insert(owner, key, request_fingerprint, token)
        if record_id is not None:
            return Claim(record_id, token)
        with db.engine.connect() as connection:
            record = connection.execute(
                select(KEYS).where(KEYS.c.owner == owner.name, KEYS.c.key == key)
            ).one_or_none()
        if record is None:
            continue  # pruned since the insert was refused: insert again
        now = utcnow()
        if record.expires_at <= now:
            if _take_over(record.id, request_fingerprint, token, KEYS.c.expires_at <= now):
                return Claim(record.id, token)
            continue
        if record.fingerprint != request_fingerprint:
            raise KeyReused()
        if record.status is not None:
            headers = [(name, value) for name, value in json.loads(record.headers)]
            return Answer(record.status, headers, record.body)
        lapsed = KEYS.c.status.is_(None) & (KEYS.c.lease_until <= now)
        if record.lease_until <= now and _take_over(record.id, request_fingerprint, token, lapsed):
            return Claim(record.id, token)
        raise KeyInUse()
    raise KeyInUse()


def complete(held: Claim, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """Store the answer of the request holding `held`; a failure is logged, not raised."""
    values = {"status": status, "headers": json.dumps(headers), "body": body, "lease_until": None}
    _finish(held, update(KEYS).values(**values), "storing the answer")


def release(held: Claim) -> None:
    """Forget the key of a request that failed, so that it can be sent again at once."""
    _finish(held, delete(KEYS).where(KEYS.c.status.is_(None)), "releasing the key")


def _finish(held: Claim, statement, what: str) -> None:
    # The request's own transaction ends first: nothing it left pending is kept, and on SQLite
    # its open write would block this one.
    discard_session()
    try:
        with db.engine.begin() as connection:
            connection.execute(
                statement.where(KEYS.c.id == held.record_id, KEYS.c.claim == held.token)
            )
    except SQLAlchemyError:
        # The answer (or the error) stands; the key is freed when its lease lapses.
        logger.warning("idempotency key %d: %s failed", held.record_id, what, exc_info=True)


def _fresh(request_fingerprint: str, token: str) -> dict:
    config = current_app.config
    now = utcnow()
    return {
        "fingerprint": request_fingerprint,
        "claim": token,
        "created_at": now,
        "expires_at": now + timedelta(hours=config["IDEMPOTENCY_KEY_HOURS"]),
        "lease_until": _lease_end(now),
        "status": None,
        "headers": None,
        "body": None,
    }


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=current_app.config["IDEMPOTENCY_LEASE_SECONDS"])


def _insert(owner: Owner, key: str, request_fingerprint: str, token: str) -> int | None:
    row = {"owner": owner.name, "key": key, "user_id": owner.user_id}
    try:
        with db.engine.begin() as connection:
            result = connection.execute(
                insert(KEYS).values(**row, **_fresh(request_fingerprint, token))
            )
    except IntegrityError:
        return None
    return result.inserted_primary_key[0]


def _take_over(record_id: int, request_fingerprint: str, token: str, condition) -> bool:
    """Start the key afresh for this request, if `condition` still holds for its record."""
    with db.engine.begin() as connection:
        result = connection.execute(
            update(KEYS)
            .where(KEYS.c.id == record_id, condition)
            .values(**_fresh(request_fingerprint, token))
        )
    return result.rowcount == 1
