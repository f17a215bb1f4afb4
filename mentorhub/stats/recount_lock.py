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

    The lock lives on a connection of its own, so the recount may commit as often as it
    likes, and a process that dies releases it with its connection. SQLite (the embedded,
    single-process default) needs no lock.
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        if wait:
            connection.execute(select(func.pg_advisory_lock(RECOUNT_LOCK_KEY)))
            acquired = True
        else:
            acquired = bool(connection.scalar(select(func.pg_try_advisory_lock(RECOUNT_LOCK_KEY))))
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(select(func.pg_advisory_unlock(RECOUNT_LOCK_KEY)))
                connection.commit()
