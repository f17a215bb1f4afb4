"""The safety net: re-enqueue pending notifications whose job never ran, on a timer in workers.

A row is left pending past its due time when Redis was down as its transaction committed, when
the worker holding its job was killed, or when Redis lost its data. Every worker ticks between
jobs (see `flask worker`); a Redis lock lets one of them sweep per interval, and each tick also
records that a worker is alive, for /ready.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select, update

from mentorhub.extensions import db
from mentorhub.models import Notification, utcnow
from mentorhub.notifications.queue import dispatch, notification_queue, queue_enabled

logger = logging.getLogger(__name__)
SWEEP_LOCK_KEY = "mentorhub:notifications:sweep-lock"
WORKER_SEEN_KEY = "mentorhub:notifications:worker-seen"
SWEEP_LIMIT = 5000
_table = Notification.__table__


def sweep(older_than: float | None = None) -> int:
    """Enqueue (or, without Redis, deliver) pending rows overdue by `older_than` seconds."""
    if older_than is None:
        older_than = current_app.config["NOTIFICATION_SWEEP_AGE_SECONDS"]
    total = 0
    _reopen_lapsed_claims(older_than)
    while True:
        now = utcnow()
        cutoff = now - timedelta(seconds=older_than)
        ids = db.session.scalars(
            select(_table.c.id)
            .where(_table.c.status == "pending", _table.c.queued_at <= cutoff)
            .where(_table.c.channel == "email")
            .order_by(_table.c.queued_at)
            .limit(SWEEP_LIMIT)
        ).all()
        db.session.commit()
        if not ids:
            break
        # Enqueue first: if that fails the rows keep their old queued_at and the next sweep
        # retries; marking them first would hide them for another interval.
        if not dispatch({None: list(ids)}):
            break
        db.session.execute(update(_table).where(_table.c.id.in_(ids)).values(queued_at=now))
        db.session.commit()
        total += len(ids)
        if len(ids) < SWEEP_LIMIT:
            break
    if total:
        logger.info("sweep re-enqueued %d overdue notification(s)", total)
    return total


def _reopen_lapsed_claims(older_than: float) -> None:
    # A `sending` row past its lease belongs to a job that is dead (RQ kills jobs at their
    # timeout, and the lease is longer): make it pending and overdue, so this sweep takes it.
    now = utcnow()
    reopened = db.session.execute(
        update(_table)
        .where(_table.c.status == "sending", _table.c.claimed_until < now)
        .values(
            status="pending",
            claimed_until=None,
            queued_at=now - timedelta(seconds=older_than + 1),
            updated_at=now,
        )
    ).rowcount
    db.session.commit()
    if reopened:
        logger.warning("re-opened %d notification(s) claimed by a worker that died", reopened)


def worker_tick(interval: float) -> int:
    """Record that a worker is alive, and sweep unless another worker did this interval."""
    connection = notification_queue().connection
    connection.set(WORKER_SEEN_KEY, f"{time.time():.3f}", ex=int(max(60, interval * 3)))
    # The lock lapses just before the next interval, so some worker sweeps every interval.
    if not connection.set(SWEEP_LOCK_KEY, "1", nx=True, px=max(1, int(interval * 900))):
        return 0
    return sweep()


def queue_status(app: Flask, timeout: float) -> dict | None:
    """Readiness extras: queue depth, scheduled jobs, and whether a worker was seen recently."""
    with app.app_context():
        if not queue_enabled():
            return None
        queue = notification_queue()
        pipe = queue.connection.pipeline(transaction=False)
        pipe.llen(queue.key)
        pipe.zcard(queue.scheduled_job_registry.key)
        pipe.get(WORKER_SEEN_KEY)
        depth, scheduled, seen = pipe.execute()
    seen_ago = round(time.time() - float(seen), 1) if seen else None
    return {
        "depth": depth,
        "scheduled": scheduled,
        "worker_seen_seconds_ago": seen_ago,
        "worker_seen_recently": seen is not None,
    }
