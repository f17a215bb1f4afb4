"""The cache service on Flask-Caching: Redis when REDIS_URL is set, memory otherwise.

`cache_service` and `@cached` are the cache interface. Keys may be any string; values must be
JSON data (never ORM objects). When Redis becomes unreachable the service carries on from
process memory (see `cache_store`), so no request fails because the cache is down.
Outside an app context the service uses a store configured from the process environment.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import redis
from flask import Flask, current_app, has_app_context
from flask_caching.backends import RedisCache, SimpleCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from mentorhub.cache import codec as cache_codec
from mentorhub.cache import singleflight
from mentorhub.cache.codec import CacheValueError
from mentorhub.cache.near import NearCache
from mentorhub.cache.store import FailoverStore, TextSerializer
from mentorhub.extensions import cache
from mentorhub.observability.recording import record_cache_event

__all__ = ["CacheValueError", "cache_service", "cached", "init_cache"]
logger = logging.getLogger(__name__)
EXTENSION_KEY = "mentorhub.cache"
NEAR_KEY = "mentorhub.cache.near"
DEFAULTS = {
    "CACHE_KEY_PREFIX": "mentorhub:cache:",
    "CACHE_LOCK_PREFIX": "mentorhub:cache-lock:",
    "CACHE_RETRY_INTERVAL": 1.0,
    "CACHE_THRESHOLD": 10_000,
    # How long a process may serve a hot entry from its own memory (`near=True`): also how
    # long a change made elsewhere can take to reach it.
    "CACHE_NEAR_SECONDS": 1.0,
}


def init_cache(app: Flask) -> None:
    """Bind Flask-Caching to Redis (or memory) and wrap it in the failover store."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    client = _redis_client(app.config)
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": "RedisCache" if client is not None else "SimpleCache",
            # Flask-Caching's RedisCache accepts a ready client as its host.
            "CACHE_REDIS_HOST": client,
            "CACHE_SERIALIZER": TextSerializer,
            "CACHE_DEFAULT_TIMEOUT": 3600,
        },
    )
    with app.app_context():
        backend = cache.cache  # Flask-Caching's public accessor for this app's backend
    app.extensions[EXTENSION_KEY] = _failover(backend, client, app.config)
    app.extensions[NEAR_KEY] = NearCache(app.config["CACHE_NEAR_SECONDS"])


def build_store(config: Mapping[str, Any]) -> FailoverStore:
    """A store configured like the app's, for code running outside an app context."""
    settings = {**DEFAULTS, **config}
    client = _redis_client(settings)
    if client is not None:
        primary = RedisCache(host=client, key_prefix=settings["CACHE_KEY_PREFIX"])
    else:
        primary = SimpleCache(threshold=settings["CACHE_THRESHOLD"])
    primary.serializer = TextSerializer()
    return _failover(primary, client, settings)


def _failover(primary: Any, client: redis.Redis | None, config: Mapping) -> FailoverStore:
    return FailoverStore(
        primary,
        client,
        prefix=config["CACHE_KEY_PREFIX"],
        lock_prefix=config["CACHE_LOCK_PREFIX"],
        retry_interval=config["CACHE_RETRY_INTERVAL"],
    )


def _redis_client(config: Mapping[str, Any]) -> redis.Redis | None:
    url = config.get("REDIS_URL")
    if not url:
        return None
    timeout = config.get("REDIS_SOCKET_TIMEOUT", 0.05)
    # One immediate reconnect covers a dropped connection; more retries would multiply the
    # cost of a hung server on every call.
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1)
    )


class CacheService:
    """The cache interface: get, set, delete, clear, exists."""

    def __init__(self) -> None:
        self._standalone: FailoverStore | None = None
        self._standalone_lock = threading.Lock()

    def store(self) -> FailoverStore:
        """The current app's store, or the environment-configured one outside an app."""
        if has_app_context():
            return current_app.extensions[EXTENSION_KEY]
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
        near = self._near()
        if near is not None:
            near.drop(key)
        return self.store().delete(cache_codec.storage_key(key))

    def clear(self) -> bool:
        """Remove every MentorHub cache entry, and nothing else in the Redis database."""
        near = self._near()
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
        local = self._near() if near else None
        if local is not None:
            hit = local.get(key)
            if hit is not NearCache.MISSING:
                record_cache_event(key, "hit")
                return hit
        value = singleflight.get_or_compute(self.store(), key, compute, ttl)
        if local is not None:
            local.put(key, value)
        return value

    def _near(self) -> NearCache | None:
        return current_app.extensions.get(NEAR_KEY) if has_app_context() else None


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
