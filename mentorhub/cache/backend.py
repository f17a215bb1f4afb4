"""The app's cache backend: Flask-Caching on Redis (memory without it), in the failover store.

`init_cache` binds it per app; `app_store()` and `near_copies()` are what the cache service
reads. Outside an app context the service uses `build_store`, configured like an app's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
from flask import Flask, current_app, has_app_context
from flask_caching.backends import RedisCache, SimpleCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from mentorhub.cache.near import NearCache
from mentorhub.cache.store import FailoverStore, TextSerializer
from mentorhub.extensions import cache

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


def app_store() -> FailoverStore:
    """The current app's store."""
    return current_app.extensions[EXTENSION_KEY]


def near_copies() -> NearCache | None:
    """The current app's per-process copies of hot entries; None outside an app context."""
    return current_app.extensions.get(NEAR_KEY) if has_app_context() else None


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
