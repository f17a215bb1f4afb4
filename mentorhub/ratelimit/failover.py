"""Redis buckets that fall back to this process's memory while Redis is unreachable."""

from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError

from mentorhub.ratelimit.token_bucket import BucketResult, MemoryBuckets, RedisBuckets

logger = logging.getLogger(__name__)


class FailoverBuckets:
    """Take from Redis, or from memory during an outage: a dead Redis never fails a request."""

    # While Redis is down, one request per process tries it again this often; that request
    # waits at most one socket timeout, every other one goes straight to memory.
    RECHECK_SECONDS = 1.0

    def __init__(self, primary: RedisBuckets) -> None:
        self.primary = primary
        self.fallback = MemoryBuckets()
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.next_try = 0.0

    @property
    def degraded(self) -> bool:
        """Whether this process is limiting from memory because Redis is unreachable."""
        return self.down_since is not None

    def take(self, key: str, capacity: int, window: float, cost: int) -> BucketResult:
        """Take from Redis, or from memory during an outage."""
        if self._should_try_redis():
            try:
                result = self.primary.take(key, capacity, window, cost)
            except RedisError as error:
                self._mark_down(error)
            else:
                if self.down_since is not None:
                    self._mark_up()
                return result
        return self.fallback.take(key, capacity, window, cost)

    def clear(self, key: str) -> None:
        """Forget a bucket in both stores."""
        self.fallback.clear(key)
        self.primary.clear(key)

    def _should_try_redis(self) -> bool:
        if self.down_since is None:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.next_try:
                return False
            self.next_try = now + self.RECHECK_SECONDS
            return True

    def _mark_down(self, error: RedisError) -> None:
        with self.lock:
            self.next_try = time.monotonic() + self.RECHECK_SECONDS
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.warning(
            "rate limit storage unreachable (%s: %s); limiting per process in memory until back",
            type(error).__name__,
            error,
        )

    def _mark_up(self) -> None:
        with self.lock:
            if self.down_since is None:
                return
            outage, self.down_since = time.monotonic() - self.down_since, None
        logger.info("rate limit storage reachable again after %.1f s; back on Redis", outage)
