"""Platform totals as counters, changed in the same transaction as the rows they count.

`COUNT(*)` over a million users costs hundreds of milliseconds; summing 16 counter rows costs
the same at any size. The counters follow every ORM write through Session events, so the
other modules need not call anything:

- the unit of work (`add`, `delete`, changing `User.is_mentor`) adjusts them exactly, after
  locking the rows it deletes or demotes, so two transactions never count the same change;
- an ORM bulk INSERT with a list of parameter dicts is counted from its parameters, and a bulk
  DELETE of sessions from its row count;
- anything else that may change a total (bulk UPDATE/DELETE of users, INSERT ... SELECT, a user
  delete whose sessions the database cascades away) marks the counters stale, and the next read
  recounts them. Writes that bypass the Session (raw connections, COPY, psql) need
  `flask stats rebuild`.

Each database connection keeps to one randomly chosen shard row, so concurrent transactions
rarely wait on the same row lock, and a transaction never holds two counter rows (no deadlock).
"""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import BigInteger, Connection, SmallInteger, event, false, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column
from sqlalchemy.orm import attributes as orm_attributes
from sqlalchemy.sql.dml import Insert

from mentorhub.extensions import db
from mentorhub.models.session import MentorSession
from mentorhub.models.user import User

COUNTER_SHARDS = 16
_SHARD_KEY = "mentorhub.counter_shard"
_LOCKED_KEY = "mentorhub.counters_locked"


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


def _mentor_flag_changed(user: User) -> bool:
    return orm_attributes.get_history(user, "is_mentor").has_changes()


@event.listens_for(Session, "before_flush")
def _lock_rows_about_to_change(session: Session, flush_context, instances) -> None:
    """Lock the rows this flush deletes or re-roles, and read their values under the lock."""
    users = [u.id for u in session.deleted if isinstance(u, User)]
    users += [u.id for u in session.dirty if isinstance(u, User) and _mentor_flag_changed(u)]
    sessions = [s.id for s in session.deleted if isinstance(s, MentorSession)]
    locked: dict = {"users": {}, "sessions": set()}
    connection = session.connection() if users or sessions else None
    if users:
        rows = connection.execute(
            select(User.id, User.is_mentor)
            .where(User.id.in_(users))
            .order_by(User.id)  # one lock order for everyone: no deadlock between flushes
            .with_for_update()
        )
        locked["users"] = {row.id: bool(row.is_mentor) for row in rows}
    if sessions:
        rows = connection.execute(
            select(MentorSession.id)
            .where(MentorSession.id.in_(sessions))
            .order_by(MentorSession.id)
            .with_for_update()
        )
        locked["sessions"] = {row.id for row in rows}
    session.info[_LOCKED_KEY] = locked


@event.listens_for(Session, "after_flush")
def _count_flushed_changes(session: Session, flush_context) -> None:
    """Turn what this flush inserted, deleted and re-roled into one counter update."""
    locked = session.info.pop(_LOCKED_KEY, {"users": {}, "sessions": set()})
    delta: Counter = Counter()
    for obj in session.new:
        if isinstance(obj, User):
            delta.update(users=1, mentors=int(bool(obj.is_mentor)))
        elif isinstance(obj, MentorSession):
            delta["sessions"] += 1
    for obj in session.deleted:
        # Only rows we locked were still there to delete: a concurrent delete counted itself.
        if isinstance(obj, User) and obj.id in locked["users"]:
            delta.subtract(users=1, mentors=int(locked["users"][obj.id]))
            delta["stale"] = 1  # the database cascades the user's sessions away
        elif isinstance(obj, MentorSession) and obj.id in locked["sessions"]:
            delta["sessions"] -= 1
    for obj in session.dirty:
        if isinstance(obj, User) and obj.id in locked["users"] and obj not in session.deleted:
            delta["mentors"] += int(bool(obj.is_mentor)) - int(locked["users"][obj.id])
    if any(delta.values()):
        apply_counter_delta(session.connection(), delta)


@event.listens_for(Session, "do_orm_execute")
def _count_bulk_writes(state: ORMExecuteState):
    """Count bulk INSERT/DELETE statements issued through the Session."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in ("users", "mentor_sessions"):
        return None
    if state.is_update and table == "mentor_sessions":
        return None  # no total depends on a session's columns
    # Counted after the statement ran, so a failed statement never moves a counter.
    result = state.invoke_statement()
    if state.is_delete and table == "mentor_sessions":
        delta = Counter(sessions=-max(result.rowcount or 0, 0))
    elif state.is_insert:
        delta = _insert_delta(state, table) or Counter(stale=1)
    else:
        delta = Counter(stale=1)
    if any(delta.values()):
        apply_counter_delta(state.session.connection(), delta)
    return result


def _insert_delta(state: ORMExecuteState, table: str) -> Counter | None:
    """The counts a plain `insert(Model)` with parameter dicts adds, or None if unknowable."""
    stmt = state.statement
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    # ON CONFLICT variants, inline VALUES and INSERT ... SELECT hide how many rows land.
    on_conflict = isinstance(stmt, postgresql.Insert | sqlite.Insert)
    plain = isinstance(stmt, Insert) and not on_conflict and stmt.select is None
    if not plain or stmt._values or stmt._multi_values or not all(rows):
        return None
    if table == "mentor_sessions":
        return Counter(sessions=len(rows))
    return Counter(users=len(rows), mentors=sum(bool(row.get("is_mentor")) for row in rows))
