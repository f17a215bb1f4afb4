"""The safety net: re-open lapsed claims and wake delivery for overdue rows, on a timer in workers.

A row is left pending past its due time when Redis was down as its transaction committed, when
the worker holding its job was killed, or when Redis lost its data. Every worker ticks between
jobs (see `flask worker`); a Redis lock lets one of them sweep per interval, and each tick also
records that a worker is alive, for /ready.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update

from mentorhub.extensions import db
from mentorhub.models import Notification, utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.notifications.after_commit import dispatch
from mentorhub.notifications.job_queue import notification_queue, queue_enabled, wake_drain
from mentorhub.notifications.lease import reopen_lapsed

SWEEP_LOCK_KEY = "mentorhub:notifications:sweep-lock"
WORKER_SEEN_KEY = "mentorhub:notifications:worker-seen"
SWEEP_LIMIT = 5000
_table = Notification.__table__


def sweep(older_than: float | None = None) -> int:
    """Wake delivery for (or, without Redis, deliver) pending rows overdue by `older_than` s."""
    if older_than is None:
        older_than = current_app.config["NOTIFICATION_SWEEP_AGE_SECONDS"]
    reopen_lapsed(older_than)
    overdue = (
        _table.c.status == S.PENDING,
        _table.c.channel == "email",
        _table.c.queued_at <= utcnow() - timedelta(seconds=older_than),
    )
    if queue_enabled():
        # A drain takes every due row, overdue ones included: one wake-up is enough.
        count = db.session.scalar(select(func.count()).where(*overdue))
        db.session.commit()
        if count and not wake_drain(force=True):
            return 0
        return count or 0
    return _deliver_inline(overdue)


def _deliver_inline(overdue: tuple) -> int:
    total = 0
    while True:
        now = utcnow()
        ids = db.session.scalars(
            select(_table.c.id).where(*overdue).order_by(_table.c.queued_at).limit(SWEEP_LIMIT)
        ).all()
        db.session.commit()
        if not ids:
            return total
        dispatch({None: list(ids)})
        # Whatever is still pending (a retry, or a failure) waits for the next sweep.
        db.session.execute(
            update(_table)
            .where(_table.c.id.in_(ids), _table.c.status == S.PENDING, _table.c.queued_at < now)
            .values(queued_at=now)
        )
        db.session.commit()
        total += len(ids)
        if len(ids) < SWEEP_LIMIT:
            return total


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
