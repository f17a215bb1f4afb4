"""Platform totals as counters, changed in the same transaction as the rows they count.

`COUNT(*)` over a million users takes far longer than summing 16 counter rows, which costs the
same at any size. `mentorhub.stats.tracking` keeps them current from the app's Session events.

Each database connection keeps to one randomly chosen shard row, so concurrent transactions
rarely wait on the same row lock, and a transaction never holds two counter rows (no deadlock).
"""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import BigInteger, Connection, SmallInteger, false, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from mentorhub.extensions import db

COUNTER_SHARDS = 16
_SHARD_KEY = "mentorhub.counter_shard"


class PlatformCounter(db.Model):
    """One shard of the platform totals; the totals are the sums over all shards."""

    __tablename__ = "platform_counters"

    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    mentors: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    sessions: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    stale: Mapped[bool] = mapped_column(default=False, server_default=false())


def apply_counter_delta(connection: Connection, delta: Counter) -> None:
    """Add `delta` (users, mentors, sessions, stale) to this connection's shard, as one upsert."""
    table = PlatformCounter.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    shard = connection.info.setdefault(_SHARD_KEY, random.randrange(COUNTER_SHARDS))
    values = {name: delta.get(name, 0) for name in ("users", "mentors", "sessions")}
    stmt = dialect.insert(table).values(shard=shard, stale=bool(delta.get("stale")), **values)
    updates = {name: table.c[name] + stmt.excluded[name] for name in values}
    updates["stale"] = or_(table.c.stale, stmt.excluded.stale)
    connection.execute(stmt.on_conflict_do_update(index_elements=[table.c.shard], set_=updates))
