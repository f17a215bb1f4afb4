"""The token bucket behind Flask-Limiter, through limits' documented storage extension point.

`limits` has no token-bucket strategy, and its strategy table is not an extension point; custom
storages are (a `Storage` subclass with a `STORAGE_SCHEME`). Flask-Limiter runs its
moving-window strategy, which asks a storage two questions: may `amount` more hits enter a
window of `limit` per `expiry` seconds (`acquire_entry`), and where does the window stand
(`get_moving_window`). This storage answers both from a token bucket of capacity `limit`
refilled over `expiry` seconds, so Flask-Limiter still picks the limits, applies exemptions,
writes the headers and raises the 429.

The storage holds nothing itself: each call goes to the buckets of the app handling the
request, so two apps in one process never share a bucket or a connection. A take also reads the
keys the request asked for in `mentorhub.redis_prefetch`, in the same round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flask import current_app, has_request_context, request
from limits.storage import MovingWindowSupport, Storage
from redis.exceptions import RedisError

from mentorhub import redis_prefetch
from mentorhub.ratelimit.token_bucket import BucketResult

SCHEME = "mentorhub-token-bucket"
STORAGE_URI = f"{SCHEME}://"
BUCKETS_KEY = "mentorhub.rate_limit_buckets"
# Results live on the request itself: `g` outlives a request when an app context is already open.
RESULTS_KEY = "mentorhub.rate_limit_results"


class Buckets(Protocol):
    """What the storage needs from an app's bucket store (Redis with failover, or memory)."""

    def take(
        self, key: str, capacity: int, window: float, cost: int, reads: Sequence[str] = ()
    ) -> BucketResult:
        """Refill, take `cost` tokens if they are there (cost 0 only looks), read `reads`."""

    def clear(self, key: str) -> None:
        """Forget a bucket."""


def app_buckets() -> Buckets:
    """The current app's bucket store, set up by `init_rate_limiting`."""
    return current_app.extensions[BUCKETS_KEY]


def last_result(key: str) -> BucketResult | None:
    """This request's latest result for a bucket key, if it touched that bucket."""
    if not has_request_context():
        return None
    return request.environ.get(RESULTS_KEY, {}).get(key)


class TokenBucketStorage(Storage, MovingWindowSupport):
    """A limits storage whose moving-window answers come from the app's token buckets."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        # Connection settings are the app's (REDIS_URL and its timeouts), not the URI's.
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """Errors of the Redis behind the buckets (the failover store catches them first)."""
        return RedisError

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take `amount` tokens from a bucket of `limit` refilled over `expiry` seconds."""
        return self._take(key, limit, expiry, amount).allowed

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(window start, tokens used): Flask-Limiter adds `expiry` to get when it is full."""
        # Flask-Limiter asks right after the hit, for the headers: this request's own result
        # answers without a second round trip.
        result = last_result(key) or self._take(key, limit, expiry, 0)
        return result.full_at - expiry, limit - result.remaining

    def clear(self, key: str) -> None:
        """Refill a bucket completely."""
        app_buckets().clear(key)

    def check(self) -> bool:
        """Always usable: the buckets fall back to memory by themselves."""
        return True

    def reset(self) -> int | None:
        """Not supported: buckets expire by themselves once full."""
        return None

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Not a counter storage: only the moving-window strategy can use it."""
        raise NotImplementedError(f"{SCHEME} storage supports the moving-window strategy only")

    def get(self, key: str) -> int:
        """Not a counter storage: only the moving-window strategy can use it."""
        raise NotImplementedError(f"{SCHEME} storage supports the moving-window strategy only")

    def get_expiry(self, key: str) -> float:
        """Not a counter storage: only the moving-window strategy can use it."""
        raise NotImplementedError(f"{SCHEME} storage supports the moving-window strategy only")

    def _take(self, key: str, capacity: int, window: int, cost: int) -> BucketResult:
        reads = redis_prefetch.wanted()
        result = app_buckets().take(key, capacity, window, cost, reads)
        if has_request_context():
            request.environ.setdefault(RESULTS_KEY, {})[key] = result
            # Memory buckets (no Redis, or an outage) read nothing: the check asks for itself.
            if reads and len(result.values) == len(reads):
                redis_prefetch.record(reads, result.values)
        return result
