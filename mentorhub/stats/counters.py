"""Reading and rebuilding the platform counters (the model keeps them current on every write)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Integer, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mentorhub.extensions import db
from mentorhub.models import MentorSession, PlatformCounter, User
from mentorhub.models.counters import COUNTER_SHARDS

logger = logging.getLogger(__name__)
COUNTERS = ("users", "mentors", "sessions")


@dataclass(frozen=True)
class CounterCheck:
    """One counter before a rebuild, against the count in its table."""

    name: str
    counted: int
    actual: int

    @property
    def drift(self) -> int:
        """How far the counter was from the table (actual minus counted)."""
        return self.actual - self.counted


def read_totals() -> dict[str, int]:
    """The platform totals from the counters: one small statement whatever the table sizes."""
    table = PlatformCounter
    row = db.session.execute(
        select(
            *(func.coalesce(func.sum(getattr(table, name)), 0) for name in COUNTERS),
            func.coalesce(func.max(table.stale.cast(Integer)), 0),
        )
    ).one()
    users, mentors, sessions, stale = (int(value) for value in row)
    if stale:
        # A write the counters could not follow happened: recount once, then carry on exact.
        checks = {check.name: check.actual for check in rebuild_counters()}
        users, mentors, sessions = (checks[name] for name in COUNTERS)
    return {
        "total_users": users,
        "total_mentors": mentors,
        "total_students": users - mentors,
        "total_sessions": sessions,
    }


def rebuild_counters() -> list[CounterCheck]:
    """Recount users, mentors and sessions from the tables and store them; report each drift.

    All shard rows are locked first, so writers wait for the rebuild instead of racing it, and
    every row they committed before the lock is in the recount.
    """
    _ensure_shard_rows()
    table = PlatformCounter.__table__
    rows = db.session.execute(
        select(table.c.users, table.c.mentors, table.c.sessions, table.c.stale)
        .order_by(table.c.shard)
        .with_for_update()
    ).all()
    counted = {name: sum(int(getattr(row, name)) for row in rows) for name in COUNTERS}
    was_stale = any(row.stale for row in rows)
    users, mentors, sessions = db.session.execute(
        select(
            func.count(User.id),
            func.count(User.id).filter(User.is_mentor.is_(True)),
            select(func.count(MentorSession.id)).scalar_subquery(),
        )
    ).one()
    actual = {"users": users, "mentors": mentors, "sessions": sessions}
    db.session.execute(update(table).values(users=0, mentors=0, sessions=0, stale=False))
    db.session.execute(update(table).where(table.c.shard == 0).values(**actual))
    db.session.commit()
    checks = [CounterCheck(name, counted[name], int(actual[name])) for name in COUNTERS]
    drifted = [check for check in checks if check.drift]
    if drifted or was_stale:
        logger.info("platform counters rebuilt: %s", ", ".join(_describe(c) for c in checks))
    return checks


def _ensure_shard_rows() -> None:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(PlatformCounter.__table__).values(
        [{"shard": shard} for shard in range(COUNTER_SHARDS)]
    )
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["shard"]))


def _describe(check: CounterCheck) -> str:
    return f"{check.name} {check.counted} -> {check.actual}"
