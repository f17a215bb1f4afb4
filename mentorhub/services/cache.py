"""The cache service: `cache_service` (get, set, delete, clear, exists) and `@cached`.

Redis when REDIS_URL is set, process memory otherwise (`mentorhub.cache.backend`). Keys may be
any string; values must be JSON data, never ORM objects (cache a dict of the fields you need).
When Redis becomes unreachable the service carries on from process memory, so no request fails
because the cache is down. In an app context it uses that app's cache; outside one, a cache
configured from the process environment.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import has_app_context

from mentorhub.cache import codec as cache_codec
from mentorhub.cache import singleflight
from mentorhub.cache.backend import app_store, build_store, near_copies
from mentorhub.cache.codec import CacheValueError
from mentorhub.cache.near import NearCache
from mentorhub.cache.store import FailoverStore
from mentorhub.observability.recording import record_cache_event

__all__ = ["CacheValueError", "cache_service", "cached"]
logger = logging.getLogger(__name__)


class CacheService:
    """The cache interface: get, set, delete, clear, exists."""

    def __init__(self) -> None:
        self._standalone: FailoverStore | None = None
        self._standalone_lock = threading.Lock()

    def store(self) -> FailoverStore:
        """The current app's store, or the environment-configured one outside an app."""
        if has_app_context():
            return app_store()
        with self._standalone_lock:
            if self._standalone is None:
                from config import load_config

                self._standalone = build_store(vars(load_config()))
            return self._standalone

    def get(self, key: str) -> Any:
        """The cached value, or None when absent."""
        text = self.store().get(cache_codec.storage_key(key))
        try:
            return cache_codec.decode(text)
        except ValueError:
            logger.warning("discarding a cache entry that is not JSON")
            return None

    def set(self, key: str, value: Any, ttl: int = 3600) -> bool:
        """Cache JSON data for `ttl` seconds (0 keeps it until deleted)."""
        text = cache_codec.encode(value)
        return self.store().set(cache_codec.storage_key(key), text, ttl=ttl)

    def delete(self, key: str) -> bool:
        """Remove a key; True when it was cached (near copies elsewhere lapse by themselves)."""
        near = near_copies()
        if near is not None:
            near.drop(key)
        return self.store().delete(cache_codec.storage_key(key))

    def clear(self) -> bool:
        """Remove every MentorHub cache entry, and nothing else in the Redis database."""
        near = near_copies()
        if near is not None:
            near.clear()
        return self.store().clear()

    def exists(self, key: str) -> bool:
        """Whether the key is cached."""
        return self.store().exists(cache_codec.storage_key(key))

    def get_or_compute(
        self, key: str, compute: Callable[[], Any], ttl: int = 3600, near: bool = False
    ) -> Any:
        """The cached value, recomputed by one caller at a time across processes.

        With `near`, the value is also kept in this process for CACHE_NEAR_SECONDS, so a hot
        entry costs no Redis round trip; a change elsewhere reaches it within that time.
        """
        local = near_copies() if near else None
        if local is not None:
            hit = local.get(key)
            if hit is not NearCache.MISSING:
                record_cache_event(key, "hit")
                return hit
        value = singleflight.get_or_compute(self.store(), key, compute, ttl)
        if local is not None:
            local.put(key, value)
        return value


cache_service = CacheService()


def cached(ttl: int = 600, key_prefix: str = "") -> Callable:
    """Cache a function's JSON result, keyed on the function and its arguments.

    `f(1)` and `f(user_id=1)` share an entry. Expiry is stampede-free (see `singleflight`).
    The wrapper gains `cache_key(*args, **kwargs)` and `invalidate(*args, **kwargs)`.
    """

    def decorator(func: Callable) -> Callable:
        signature = inspect.signature(func)
        name = f"{func.__module__}.{func.__qualname__}"

        def cache_key(*args: Any, **kwargs: Any) -> str:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = json.dumps(
                bound.arguments, sort_keys=True, default=cache_codec.argument_key
            )
            return f"{key_prefix}:{name}:{arguments}"

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = cache_key(*args, **kwargs)
            return cache_service.get_or_compute(key, lambda: func(*args, **kwargs), ttl=ttl)

        def invalidate(*args: Any, **kwargs: Any) -> bool:
            return cache_service.delete(cache_key(*args, **kwargs))

        wrapper.cache_key = cache_key
        wrapper.invalidate = invalidate
        return wrapper

    return decorator
