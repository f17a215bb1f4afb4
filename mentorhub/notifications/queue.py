"""The notification queue: RQ on REDIS_URL, or in-process delivery without it.

Notification rows are created inside the caller's transaction and remembered on the session;
when that transaction commits, their ids go to RQ in one pipelined round trip (batches of
NOTIFICATION_BATCH_SIZE ids per job). A rollback forgets them. If Redis cannot be reached the rows
simply stay `pending` and the sweep enqueues them later, so the caller's request never fails
because of the queue.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

import redis
from flask import Flask, current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from mentorhub.extensions import rq
from mentorhub.models import Notification, utcnow

logger = logging.getLogger(__name__)
QUEUE_NAME = "notifications"
DELIVER_JOB = "mentorhub.jobs.notifications.deliver_notifications"
_SESSION_KEY = "mentorhub.notifications_to_enqueue"
FAILED_JOB_TTL = 7 * 24 * 3600  # RQ keeps a failed job this long, for inspection


def init_queue_settings(app: Flask) -> None:
    """Point flask-rq at REDIS_URL (with socket timeouts), or mark jobs as running inline."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RQ_QUEUES", [QUEUE_NAME, "default"])
    app.config.setdefault("RQ_CONNECTION", _with_timeouts(redis_url, app.config))
    # flask-rq would make queues synchronous under TESTING; we want the real pipeline in tests.
    app.config.setdefault("RQ_ASYNC", True)

    from mentorhub.notifications.sweep import queue_status
    from mentorhub.services.health import register_check

    register_check("notification_queue", queue_status)


def _with_timeouts(url: str | None, config) -> str:
    # Without timeouts a Redis host that stops answering would hang the committing request;
    # the worker raises socket_timeout itself to cover its blocking dequeue.
    url = url or "redis://127.0.0.1:6379/0"
    timeout = config.get("QUEUE_REDIS_TIMEOUT", 1.0)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}socket_connect_timeout={timeout}&socket_timeout={timeout}"


def queue_enabled() -> bool:
    """Whether jobs go through Redis (True) or run in-process (the embedded default)."""
    return bool(current_app.config.get("REDIS_URL"))


def notification_queue():
    """The RQ queue notification jobs go to."""
    return rq.get_queue(QUEUE_NAME)


def enqueue_after_commit(session: Session, row: Notification, due: datetime | None) -> None:
    """Deliver `row` once the transaction that created it commits (at `due`, if later)."""
    session.info.setdefault(_SESSION_KEY, []).append((row, due))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    items = session.info.pop(_SESSION_KEY, None)
    if not items:
        return
    by_due: dict[datetime | None, list[int]] = defaultdict(list)
    for row, due in items:
        # The identity key needs no SQL; a row rolled back with a savepoint has none.
        state = inspect(row)
        if state.persistent and state.identity:
            by_due[due].append(state.identity[0])
    if not by_due:
        return
    try:
        dispatch(by_due)
    except Exception:  # noqa: BLE001 - the caller's data is committed; the sweep will deliver
        logger.exception("could not hand notifications %s to delivery", dict(by_due))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def dispatch(by_due: dict[datetime | None, list[int]]) -> bool:
    """Enqueue ids grouped by due time (None: now); in-process delivery without Redis."""
    if queue_enabled():
        return enqueue(by_due)
    from mentorhub.notifications.delivery import deliver_in_new_context

    now = utcnow()
    due_now = [i for due, ids in by_due.items() if due is None or due <= now for i in ids]
    # Scheduled rows wait for `flask notifications sweep`, which delivers due rows in-process.
    if due_now:
        deliver_in_new_context(due_now)
    return True


def enqueue(by_due: dict[datetime | None, list[int]]) -> bool:
    """Put delivery jobs on the queue in one pipelined round trip; False if Redis is down."""
    config = current_app.config
    size, timeout = config["NOTIFICATION_BATCH_SIZE"], config["NOTIFICATION_JOB_TIMEOUT"]
    queue = notification_queue()
    now = utcnow()
    try:
        pipe = queue.connection.pipeline(transaction=False)
        for due, ids in by_due.items():
            for start in range(0, len(ids), size):
                job = queue.create_job(
                    DELIVER_JOB,
                    args=(ids[start : start + size],),
                    timeout=timeout,
                    result_ttl=0,
                    failure_ttl=FAILED_JOB_TTL,
                )
                if due is not None and due > now:
                    queue.schedule_job(job, due, pipeline=pipe)
                else:
                    queue.enqueue_job(job, pipeline=pipe)
        pipe.execute()
    except redis.RedisError as error:
        count = sum(len(ids) for ids in by_due.values())
        logger.warning("could not enqueue %d notification(s), left pending: %s", count, error)
        return False
    return True
