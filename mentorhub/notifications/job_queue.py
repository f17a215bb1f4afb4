"""The notification queue on REDIS_URL: work orders by id, and drain wake-ups.

Two kinds of job. A work order names the ids of one large commit (NOTIFICATION_BATCH_SIZE per
job), so several workers share it; scheduled reminders and retries are work orders due later.
A wake-up names nothing: the worker that runs it drains every due pending row. Small commits,
the common case under real traffic, only wake a worker, and a short-lived flag set with SET NX
means one wake-up waits in the queue at a time however many commits ask for one.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

import redis
from flask import Flask, current_app
from sqlalchemy.orm import Session

from mentorhub.extensions import rq
from mentorhub.models import Notification, utcnow
from mentorhub.observability import job_meta

logger = logging.getLogger(__name__)
QUEUE_NAME = "notifications"
DELIVER_JOB = "mentorhub.jobs.notifications.deliver_notifications"
DRAIN_JOB = "mentorhub.jobs.notifications.drain_notifications"
DRAIN_FLAG_KEY = "mentorhub:notifications:drain-pending"
# Long enough to cover a wake-up waiting its turn in the queue; short enough that a wake-up
# lost with a worker stops holding back new ones soon.
DRAIN_FLAG_MS = 5000
SESSION_KEY = "mentorhub.notifications_to_enqueue"
FAILED_JOB_TTL = 7 * 24 * 3600  # RQ keeps a failed job this long, for inspection


def init_queue_settings(app: Flask) -> None:
    """Point flask-rq at REDIS_URL (with socket timeouts)."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RQ_QUEUES", [QUEUE_NAME, "default"])
    app.config.setdefault("RQ_CONNECTION", _with_timeouts(redis_url, app.config))
    # flask-rq would make queues synchronous under TESTING; we want the real pipeline in tests.
    app.config.setdefault("RQ_ASYNC", True)


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


def enqueue_after_commit(
    session: Session, row: Notification, due: datetime | None, first: bool = False
) -> None:
    """Deliver `row` once the transaction that created it commits (at `due`, if later).

    `first` (account mail): a job of its own at the front of the queue.
    """
    session.info.setdefault(SESSION_KEY, []).append((row, due, first))


def enqueue(by_due: dict[datetime | None, list[int]], first: bool = False) -> bool:
    """Put work orders on the queue in one pipelined round trip; False if Redis is down.

    `first`: one job per id, each at the front of the queue (account mail waits for no batch).
    """
    config = current_app.config
    size, timeout = config["NOTIFICATION_BATCH_SIZE"], config["NOTIFICATION_JOB_TIMEOUT"]
    queue = notification_queue()
    now = utcnow()
    try:
        pipe = queue.connection.pipeline(transaction=False)
        step = 1 if first else size
        for due, ids in by_due.items():
            for start in range(0, len(ids), step):
                job = _job(queue, DELIVER_JOB, (ids[start : start + step],), timeout)
                if due is not None and due > now:
                    queue.schedule_job(job, due, pipeline=pipe)
                else:
                    queue.enqueue_job(job, pipeline=pipe, at_front=first)
        pipe.execute()
    except redis.RedisError as error:
        count = sum(len(ids) for ids in by_due.values())
        logger.warning("could not enqueue %d notification(s), left pending: %s", count, error)
        return False
    return True


def wake_drain(force: bool = False) -> bool:
    """Ask a worker to drain due rows, unless a wake-up is already waiting; False if Redis is down.

    `force` enqueues one even so (the sweep: a flag may outlive the wake-up it stood for).
    """
    queue = notification_queue()
    try:
        if queue.connection.set(DRAIN_FLAG_KEY, "1", nx=True, px=DRAIN_FLAG_MS) or force:
            timeout = current_app.config["NOTIFICATION_JOB_TIMEOUT"]
            queue.enqueue_job(_job(queue, DRAIN_JOB, (), timeout))
    except redis.RedisError as error:
        logger.warning("could not wake a notification worker, rows left pending: %s", error)
        return False
    return True


def drain_started() -> None:
    """Clear the wake-up flag as a drain begins: commits from now on must wake another."""
    # If Redis is down the flag expires on its own; until then the sweep covers for it.
    with contextlib.suppress(redis.RedisError):
        notification_queue().connection.delete(DRAIN_FLAG_KEY)


def _job(queue, func: str, args: tuple, timeout: int):
    return queue.create_job(
        func, args=args, timeout=timeout, result_ttl=0, failure_ttl=FAILED_JOB_TTL, meta=job_meta()
    )
