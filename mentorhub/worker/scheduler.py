"""RQ's scheduler in a thread of the worker, so it can never outlive the worker's process."""

from __future__ import annotations

import contextlib
import logging
import threading

import redis
from rq.scheduler import RQScheduler

logger = logging.getLogger(__name__)


class SchedulerThread(threading.Thread):
    """Moves due scheduled jobs (retries, reminders) onto their queues, once per interval.

    RQ's own scheduler is a forked child that dies with a Redis outage and survives a SIGKILL
    of its parent; as a thread it shares the worker's fate. Redis errors only skip a tick: the
    locks RQ takes (one scheduler per queue across workers) expire or are re-taken as usual.
    """

    def __init__(self, queue_names: list[str], connection: redis.Redis, interval: float = 1.0):
        super().__init__(name="rq-scheduler", daemon=True)
        self.scheduler = RQScheduler(queue_names, connection=connection, interval=int(interval))
        self.queue_names = set(queue_names)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        """Tick until stopped, then release the locks so another worker takes over at once."""
        while not self.stopping.is_set():
            self.tick()
            self.stopping.wait(self.interval)
        with contextlib.suppress(redis.RedisError):
            self.scheduler.release_locks()

    def tick(self) -> None:
        """Take (or keep) the locks, then enqueue the jobs that are due."""
        try:
            if self.scheduler.acquired_locks != self.queue_names:
                self.scheduler.acquire_locks()
            else:
                self.scheduler.heartbeat()
            if self.scheduler.acquired_locks:
                self.scheduler.enqueue_scheduled_jobs()
        except (redis.ConnectionError, redis.TimeoutError):
            pass  # the worker reports the outage
        except Exception:  # noqa: BLE001 - one bad tick must not end scheduling for good
            logger.exception("scheduler tick failed")

    def stop(self) -> None:
        """Ask the thread to finish and wait for it."""
        self.stopping.set()
        self.join(timeout=10)
