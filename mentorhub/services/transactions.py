"""Transactions that may lose a race: inserting a row a constraint may refuse, and re-running a
short transaction that PostgreSQL aborted to resolve a lock conflict."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from mentorhub.errors import Conflict
from mentorhub.extensions import db

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

# SQLSTATEs of a transaction aborted only because another one got there first: running it
# again is safe and usually succeeds.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 3
BUSY_MESSAGE = "The resource was changed by another request at the same time; please retry."


def is_retryable(error: DBAPIError) -> bool:
    """Whether the database aborted this transaction for a lock conflict (not a real error)."""
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_on_conflict(func: Callable[P, T]) -> Callable[P, T]:
    """Run `func` (which commits its own transaction) again on deadlock or serialization failure.

    After the last attempt the caller gets a 409, never a 500: the request lost a race, and
    nothing it wrote was kept.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except DBAPIError as error:
                db.session.rollback()
                if not is_retryable(error):
                    raise
                logger.info("%s lost a lock race (attempt %d)", func.__name__, attempt)
        raise Conflict(BUSY_MESSAGE)

    return wrapper


def insert_once(row: object, after_flush: Callable[[], None] | None = None) -> bool:
    """Add `row`, run `after_flush` (the event it raises), and commit; False if refused.

    A unique or foreign-key constraint refusing the row means a concurrent request got there
    first (or removed what it refers to): the transaction is rolled back and nothing is kept.
    """
    db.session.add(row)
    try:
        db.session.flush()
        if after_flush is not None:
            after_flush()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def insert_or_conflict(
    row: object, message: str, after_flush: Callable[[], None] | None = None
) -> None:
    """`insert_once`, with a refused row answered 409 `message`: the request lost a race."""
    if not insert_once(row, after_flush):
        raise Conflict(message)
