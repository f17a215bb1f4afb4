"""Redis buckets that fall back to this process's memory while Redis is unreachable."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from redis.exceptions import RedisError

from mentorhub.outage_gate import OutageGate
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
        self.gate = OutageGate(self.RECHECK_SECONDS)

    @property
    def degraded(self) -> bool:
        """Whether this process is limiting from memory because Redis is unreachable."""
        return self.gate.down

    def take(
        self, key: str, capacity: int, window: float, cost: int, reads: Sequence[str] = ()
    ) -> BucketResult:
        """Take from Redis (reading `reads` too), or from memory during an outage."""
        if self.gate.should_try():
            try:
                result = self.primary.take(key, capacity, window, cost, reads)
            except RedisError as error:
                self._mark_down(error)
            else:
                self._mark_up()
                return result
        return self.fallback.take(key, capacity, window, cost)

    def clear(self, key: str) -> None:
        """Forget a bucket in both stores."""
        self.fallback.clear(key)
        self.primary.clear(key)

    def _mark_down(self, error: RedisError) -> None:
        if not self.gate.mark_down():
            return
        logger.warning(
            "rate limit storage unreachable (%s: %s); limiting per process in memory until back",
            type(error).__name__,
            error,
        )

    def _mark_up(self) -> None:
        outage = self.gate.mark_up()
        if outage is None:
            return
        logger.info("rate limit storage reachable again after %.1f s; back on Redis", outage)
