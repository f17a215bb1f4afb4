"""Rate limiting on Flask-Limiter: a token bucket per client, its headers, exclusions and 429.

The module-wide `limiter` (mentorhub.extensions, handed in by create_app) runs Flask-Limiter's
moving-window strategy on `TokenBucketStorage`, which answers from the current app's buckets.
Everything that differs between apps (Redis, limits, costs, exclusions) is read from that app,
never kept on the limiter, so apps built one after another in a process each get their own.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import redis
from flask import Flask, Response
from flask_limiter import Limiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from mentorhub.ratelimit.failover import FailoverBuckets
from mentorhub.ratelimit.policy import (
    CLIENT_LIMIT_KEY,
    EXCLUDED_KEY,
    LIMITER_RETRY_AFTER,
    client_limit_string,
)
from mentorhub.ratelimit.storage import BUCKETS_KEY, STORAGE_URI, Buckets, last_result
from mentorhub.ratelimit.token_bucket import MemoryBuckets, RedisBuckets

__all__ = [
    "init_rate_limiting",
    "rate_limit_degraded",
    "rate_limiting_initialised",
    "set_client_limit",
]
KEY_PREFIX = "mentorhub-rl:token-bucket/"


def header_finisher(limiter: Limiter) -> Callable[[Response], Response]:
    """An after-request hook giving Retry-After its token-bucket meaning, on a 429 only."""

    def finish_headers(response: Response) -> Response:
        # Flask-Limiter sends its Retry-After on every limited response, under our name for it.
        window_value = response.headers.pop(LIMITER_RETRY_AFTER, None)
        current = limiter.current_limit
        if current is None or response.status_code != 429:
            return response
        result = last_result(current.key)
        if result is not None:
            response.headers["Retry-After"] = str(max(1, math.ceil(result.retry_after)))
        elif window_value is not None:
            response.headers["Retry-After"] = window_value
        return response

    return finish_headers


def build_buckets(config: dict) -> Buckets:
    """Token buckets on the app's Redis (memory during an outage), or in memory without one."""
    url = config.get("REDIS_URL")
    if not url:
        return MemoryBuckets()
    timeout = config["REDIS_SOCKET_TIMEOUT"]
    client = redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # One attempt per request, bounded by the timeouts above: a retry would double the
        # wait on a dead Redis, and the memory fallback already answers.
        retry=Retry(NoBackoff(), 0),
    )
    return FailoverBuckets(RedisBuckets(client, lambda key: KEY_PREFIX + key))


def rate_limit_degraded(app: Flask) -> bool:
    """Whether the app's limiter is on per-process memory because Redis is unreachable."""
    buckets = app.extensions.get(BUCKETS_KEY)
    return isinstance(buckets, FailoverBuckets) and buckets.degraded


def init_rate_limiting(app: Flask, limiter: Limiter) -> None:
    """Configure Flask-Limiter from the app's RATE_LIMIT_* settings and bind `limiter` to it."""
    config = app.config
    config.setdefault("RATELIMIT_ENABLED", config["RATE_LIMIT_ENABLED"])
    config["RATELIMIT_STORAGE_URI"] = STORAGE_URI
    set_client_limit(app)
    if config["RATELIMIT_ENABLED"]:
        app.extensions[BUCKETS_KEY] = build_buckets(config)
        # after_request hooks run in reverse order of registration: this one runs after
        # Flask-Limiter's, which init_app registers.
        app.after_request(header_finisher(limiter))
    else:
        # Flask-Limiter's on/off switch is its instance's, so an app built later can switch the
        # decorators back on for this one: they then count in memory rather than fail.
        app.extensions[BUCKETS_KEY] = MemoryBuckets()
    # Called even when disabled: it switches the limit decorators off too.
    limiter.init_app(app)


def rate_limiting_initialised(app: Flask) -> bool:
    """Whether `init_rate_limiting` has run for this app."""
    return BUCKETS_KEY in app.extensions


def set_client_limit(app: Flask) -> None:
    """(Re)read the client bucket's limit and the excluded paths from the app's settings.

    Both are read per request (`mentorhub.ratelimit.policy`), so a change applies at once.
    """
    config = app.config
    config[CLIENT_LIMIT_KEY] = client_limit_string(config)
    excluded = config["RATE_LIMIT_EXCLUDE_PATHS"]
    # Worked out once: the exemption check runs on every request.
    app.extensions[EXCLUDED_KEY] = (
        frozenset(excluded),
        tuple(p.rstrip("/") + "/" for p in excluded),
    )
