"""The token bucket as a `limits` strategy, so Flask-Limiter picks it by name like its own.

Flask-Limiter still selects the limits of a route, applies exemptions, writes the headers and
raises the 429; this module only decides whether a hit fits and what is left.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import has_request_context, request
from limits import RateLimitItem
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import STRATEGIES, RateLimiter
from limits.util import WindowStats
from redis.exceptions import RedisError

from mentorhub.ratelimit.token_bucket import BucketResult, MemoryBuckets, RedisBuckets

logger = logging.getLogger(__name__)

STRATEGY_NAME = "token-bucket"
# Results live on the request itself: `g` outlives a request when an app context is already open.
RESULTS_KEY = "mentorhub.rate_limit_results"


class FailoverBuckets:
    """Redis buckets that fall back to this process's memory while Redis is unreachable."""

    # While Redis is down, one request per process tries it again this often; that request
    # waits at most one socket timeout, every other one goes straight to memory.
    RECHECK_SECONDS = 1.0

    def __init__(self, primary: RedisBuckets) -> None:
        self.primary = primary
        self.fallback = MemoryBuckets()
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.next_try = 0.0

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


class TokenBucketRateLimiter(RateLimiter):
    """Token-bucket strategy: capacity is the limit's amount, refilled over its window."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage)
        if isinstance(storage, RedisStorage):
            primary = RedisBuckets(storage.get_connection(), storage.prefixed_key)
            self.buckets: FailoverBuckets | MemoryBuckets = FailoverBuckets(primary)
        elif isinstance(storage, MemoryStorage):
            self.buckets = MemoryBuckets()
        else:
            raise NotImplementedError(f"{STRATEGY_NAME} needs Redis or memory storage")

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Take `cost` tokens if they are there."""
        return self._take(item, identifiers, cost).allowed

    def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Whether `cost` tokens are there, taking none."""
        return self._take(item, identifiers, 0).remaining >= cost

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """When the bucket is full again and how many whole tokens are left."""
        result = last_result(item.key_for(*identifiers)) or self._take(item, identifiers, 0)
        return WindowStats(result.full_at, result.remaining)

    def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        """Refill a bucket completely."""
        self.buckets.clear(item.key_for(*identifiers))

    def _take(self, item: RateLimitItem, identifiers: tuple[str, ...], cost: int) -> BucketResult:
        key = item.key_for(*identifiers)
        result = self.buckets.take(key, item.amount, item.get_expiry(), cost)
        if has_request_context():
            # Flask-Limiter asks for the header values after the hit; answering them from this
            # request's own result saves a second round trip.
            request.environ.setdefault(RESULTS_KEY, {})[key] = result
        return result


def last_result(key: str) -> BucketResult | None:
    """This request's latest result for a bucket key, if it touched that bucket."""
    if not has_request_context():
        return None
    return request.environ.get(RESULTS_KEY, {}).get(key)


def register_strategy() -> None:
    """Make `token-bucket` a strategy name Flask-Limiter accepts."""
    STRATEGIES[STRATEGY_NAME] = TokenBucketRateLimiter  # type: ignore[assignment]
