"""One platform recount at a time, across every process: a PostgreSQL advisory lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from mentorhub.extensions import db

# Any fixed 64-bit number that no other advisory lock in this database uses.
RECOUNT_LOCK_KEY = 0x6D68_7374_6174_7301


@contextmanager
def recount_lock(wait: bool = True) -> Iterator[bool]:
    """Hold the recount lock for the block; yields False when `wait` is off and it is taken.

    The lock belongs to a transaction left open on a connection of its own, so the recount
    may commit as often as it likes, and ending that transaction (or the process dying)
    releases it. A session lock would not do behind a pooler in transaction mode (PgBouncer):
    the pooler may run the unlock on another server connection, leaving the lock held on a
    pooled one for good. SQLite (the embedded, single-process default) needs no lock.
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        if wait:
            connection.execute(select(func.pg_advisory_xact_lock(RECOUNT_LOCK_KEY)))
            acquired = True
        else:
            lock = func.pg_try_advisory_xact_lock(RECOUNT_LOCK_KEY)
            acquired = bool(connection.scalar(select(lock)))
        try:
            yield acquired
        finally:
            connection.rollback()
