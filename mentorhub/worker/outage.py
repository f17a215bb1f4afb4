"""Wait out a Redis outage: capped backoff, one WARNING when it starts, one INFO when it ends."""

from __future__ import annotations

import logging
import threading
import time

import redis
from rq.exceptions import StopRequested

logger = logging.getLogger(__name__)
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)
FIRST_DELAY = 0.1
MAX_DELAY = 2.0  # the longest a worker stays unaware that Redis is back


class RedisOutage:
    """Shared by the worker loop and its restarts, so an outage is reported once."""

    def __init__(self, stopping: threading.Event) -> None:
        self.stopping = stopping
        self.since: float | None = None
        self.lock = threading.Lock()

    def wait_until_back(self, connection: redis.Redis, error: Exception | None = None) -> None:
        """Return once Redis answers PING; raise StopRequested if a stop is asked meanwhile."""
        delay = FIRST_DELAY
        while True:
            try:
                connection.ping()
                break
            except REDIS_DOWN as failure:
                self._started(error or failure)
            if self.stopping.is_set():
                raise StopRequested()
            self.stopping.wait(delay)
            delay = min(MAX_DELAY, delay * 2)
        self._ended()

    def _started(self, error: Exception) -> None:
        with self.lock:
            if self.since is None:
                self.since = time.monotonic()
                logger.warning("Redis unreachable (%s); waiting for it to come back", error)

    def _ended(self) -> None:
        with self.lock:
            if self.since is not None:
                logger.info("Redis reachable again after %.1f s", time.monotonic() - self.since)
                self.since = None
