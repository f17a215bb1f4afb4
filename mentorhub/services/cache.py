"""Cache service on Flask-Caching: Redis when REDIS_URL is set, memory otherwise."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask

from mentorhub.extensions import cache


def init_cache(app: Flask) -> None:
    """Choose the backend from REDIS_URL and bind Flask-Caching."""
    if app.config.get("REDIS_URL"):
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    else:
        app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_KEY_PREFIX", "mentorhub:")
    cache.init_app(app)


class CacheService:
    """The spec's cache interface."""

    def get(self, key: str) -> Any:
        """Return the cached value, or None."""
        return cache.get(key)

    def set(self, key: str, value: Any, ttl: int = 3600) -> bool:
        """Cache a JSON-serialisable value for `ttl` seconds."""
        return bool(cache.set(key, value, timeout=ttl))

    def delete(self, key: str) -> bool:
        """Remove a key."""
        return bool(cache.delete(key))

    def clear(self) -> bool:
        """Remove MentorHub's keys."""
        return bool(cache.clear())

    def exists(self, key: str) -> bool:
        """Whether the key is cached."""
        return bool(cache.has(key))


cache_service = CacheService()


def cached(ttl: int = 600, key_prefix: str = "") -> Callable:
    """Cache a function's result, keyed on the function and its arguments."""

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = f"{key_prefix}:{func.__module__}.{func.__qualname__}:{args!r}:{sorted(kwargs.items())!r}"
            value = cache_service.get(key)
            if value is None:
                value = func(*args, **kwargs)
                cache_service.set(key, value, ttl=ttl)
            return value

        return wrapper

    return decorator
