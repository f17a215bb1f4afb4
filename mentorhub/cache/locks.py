"""Locks for single-flight recomputation: Redis-wide while Redis is up, per-process otherwise."""

from __future__ import annotations

import logging
import threading

import redis

logger = logging.getLogger(__name__)
# Striped, so the number of locks stays fixed however many keys are cached.
_LOCAL_LOCKS = [threading.Lock() for _ in range(256)]


class LocalLock:
    """A per-process lock striped by key; it cannot outlive its process, so it needs no TTL."""

    def __init__(self, key: str) -> None:
        self._lock = _LOCAL_LOCKS[hash(key) % len(_LOCAL_LOCKS)]

    def acquire(self) -> bool:
        """Take the lock without waiting."""
        return self._lock.acquire(blocking=False)

    def refresh(self) -> None:
        """Nothing to extend: the lock lives as long as the process."""

    def release(self) -> None:
        """Let the next caller in."""
        self._lock.release()


class RedisLock:
    """A short Redis lock (redis-py's `Lock`): it expires unless refreshed, so a dead holder
    is replaced within `ttl` seconds."""

    def __init__(self, client: redis.Redis, name: str, ttl: float) -> None:
        # thread_local=False: the heartbeat thread refreshes a lock another thread acquired.
        self._lock = client.lock(name, timeout=ttl, blocking=False, thread_local=False)

    def acquire(self) -> bool:
        """Take the lock without waiting."""
        return bool(self._lock.acquire())

    def refresh(self) -> None:
        """Reset the TTL while the holder is still working."""
        self._lock.reacquire()

    def release(self) -> None:
        """Release the lock if we still own it; an expired lock is someone else's now."""
        try:
            self._lock.release()
        except redis.RedisError as error:
            logger.info("cache lock %s was not released: %s", self._lock.name, error)
