"""Reading and recounting the platform counters (`stats.tracking` keeps them current).

A request only ever reads the counters. When a write they could not follow has marked them
stale, the read asks for a recount in the background (`request_recount`) and answers with the
last known totals meanwhile. The recount itself takes no lock a writer waits on for longer than
a single-row update: it counts in a snapshot and adds the difference, so registrations and
bookings carry on while it runs over large tables.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

import redis
from flask import Response, after_this_request, current_app, has_request_context
from rq.exceptions import DuplicateJobError
from sqlalchemy import Integer, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from mentorhub.extensions import db, rq
from mentorhub.models import MentorSession, PlatformCounter, User
from mentorhub.models.counters import COUNTER_SHARDS, apply_counter_delta
from mentorhub.stats.recount_lock import recount_lock

logger = logging.getLogger(__name__)
COUNTERS = ("users", "mentors", "sessions")
RECOUNT_JOB = "mentorhub.jobs.stats.recount_platform_counters"
RECOUNT_JOB_ID = "stats-recount-platform"
RECOUNT_QUEUE = "default"


@dataclass(frozen=True)
class CounterCheck:
    """One counter as the recount's snapshot saw it, against the count in its table."""

    name: str
    counted: int
    actual: int

    @property
    def drift(self) -> int:
        """How far the counter was from the table (actual minus counted)."""
        return self.actual - self.counted


def read_totals() -> dict[str, int]:
    """The platform totals from the counters: one small statement whatever the table sizes."""
    users, mentors, sessions, stale = _counter_sums()
    if stale:
        request_recount()
    return {
        "total_users": users,
        "total_mentors": mentors,
        "total_students": max(users - mentors, 0),
        "total_sessions": sessions,
    }


def request_recount() -> None:
    """Have the counters recounted in the background; at most one recount job waits at a time."""
    if not current_app.config.get("REDIS_URL"):
        _recount_after_response()
        return
    try:
        rq.get_queue(RECOUNT_QUEUE).enqueue(
            RECOUNT_JOB,
            job_id=RECOUNT_JOB_ID,
            unique=True,
            result_ttl=0,  # a finished recount must not block the next one's job id
            failure_ttl=300,
        )
    except DuplicateJobError:
        pass  # a recount is already queued or running
    except redis.RedisError:
        # The totals are served as they are; the next read asks again.
        logger.warning("could not enqueue the platform recount", exc_info=True)


def _recount_after_response() -> None:
    # Without a queue (the embedded default) the recount runs once the answer has been sent,
    # in the same process, never while a client waits.
    if not has_request_context():
        return
    app = current_app._get_current_object()

    def recount() -> None:
        with app.app_context():
            rebuild_counters(wait=False)

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(recount)
        return response


def counters_stale() -> bool:
    """Whether a write the counters could not follow is still waiting for a recount."""
    return bool(_counter_sums()[3])


def _counter_sums() -> tuple[int, int, int, int]:
    table = PlatformCounter
    row = db.session.execute(
        select(
            *(func.coalesce(func.sum(getattr(table, name)), 0) for name in COUNTERS),
            func.coalesce(func.max(table.stale.cast(Integer)), 0),
        )
    ).one()
    users, mentors, sessions, stale = (int(value) for value in row)
    return users, mentors, sessions, stale


def rebuild_counters(wait: bool = True) -> list[CounterCheck] | None:
    """Recount users, mentors and sessions, correct the counters, and report each drift.

    Only one recount runs at a time; with `wait=False` this returns None when another one is
    already running (its result covers ours).
    """
    _ensure_shard_rows()
    db.session.commit()
    with recount_lock(wait) as acquired:
        if not acquired:
            return None
        return _recount()


def _recount() -> list[CounterCheck]:
    # Clear the flag first: a write that marks the counters stale after this point sets it
    # again, and gets a recount of its own.
    db.session.execute(update(PlatformCounter).where(PlatformCounter.stale).values(stale=False))
    db.session.commit()
    counted, actual = _snapshot_counts()
    checks = [CounterCheck(name, counted[name], actual[name]) for name in COUNTERS]
    drift = Counter({check.name: check.drift for check in checks if check.drift})
    if drift:
        # Writers that committed after the snapshot are in the counters but not in either
        # count, so adding the difference is exact without ever blocking them.
        apply_counter_delta(db.session.connection(), drift)
        db.session.commit()
        logger.info("platform counters recounted: %s", ", ".join(map(_describe, checks)))
    return checks


def _snapshot_counts() -> tuple[dict[str, int], dict[str, int]]:
    """The counters' sums and the tables' counts, both as of one instant."""
    if db.session.get_bind().dialect.name == "postgresql":
        # One snapshot for both reads: set before the transaction's first statement.
        db.session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    users, mentors, sessions, _ = _counter_sums()
    counted = {"users": users, "mentors": mentors, "sessions": sessions}
    row = db.session.execute(
        select(
            func.count(User.id),
            func.count(User.id).filter(User.is_mentor.is_(True)),
            select(func.count(MentorSession.id)).scalar_subquery(),
        )
    ).one()
    db.session.commit()
    return counted, dict(zip(COUNTERS, (int(value) for value in row), strict=True))


def _ensure_shard_rows() -> None:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(PlatformCounter.__table__).values(
        [{"shard": shard} for shard in range(COUNTER_SHARDS)]
    )
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["shard"]))


def _describe(check: CounterCheck) -> str:
    return f"{check.name} {check.counted} -> {check.actual}"
