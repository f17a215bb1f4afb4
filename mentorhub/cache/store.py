"""Where cached text lives: Redis through Flask-Caching, with an in-process memory fallback.

Flask-Caching raises when Redis is down and has no fallback of its own, so every
call here catches Redis errors, switches the process to memory, logs one WARNING per outage and
probes Redis again at most once per `retry_interval`. Writes made during an outage are replayed
as deletions when Redis returns, so Redis never serves a value older than one written meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import redis
from cachelib.base import BaseCache
from cachelib.serializers import BaseSerializer
from flask_caching.backends import SimpleCache

from mentorhub.batches import batched
from mentorhub.cache.locks import LocalLock, RedisLock
from mentorhub.observability.recording import set_cache_fallback
from mentorhub.outage_gate import OutageGate

logger = logging.getLogger(__name__)
# Keys touched during an outage; past this many, Redis gets a full clear of our keys instead.
MAX_DIRTY_KEYS = 10_000


class TextSerializer(BaseSerializer):
    """Store the JSON text the cache service produced as UTF-8, never pickle.

    Loading pickles read back from a network service would let anyone who can write to Redis
    run code in MentorHub; plain JSON also keeps the values readable in `redis-cli`.
    """

    def dumps(self, value: Any, protocol: int = 0) -> bytes:
        """Encode the JSON text."""
        return value.encode("utf-8")

    def loads(self, bvalue: bytes | None) -> str | None:
        """Decode the JSON text."""
        return None if bvalue is None else bvalue.decode("utf-8")


class FailoverStore:
    """Redis-backed text store that degrades to process memory and recovers by itself."""

    def __init__(
        self,
        primary: BaseCache,
        client: redis.Redis | None,
        prefix: str,
        lock_prefix: str,
        retry_interval: float = 1.0,
    ) -> None:
        self.primary = primary
        self.client = client
        self.prefix = prefix
        self.lock_prefix = lock_prefix
        self.memory = primary if client is None else SimpleCache(threshold=10_000)
        self.gate = OutageGate(retry_interval)
        # Guards the outage's bookkeeping: the keys to replay and the replay itself.
        self._state = threading.Lock()
        self._dirty: set[str] = set()
        self._clear_pending = False

    def get(self, key: str) -> str | None:
        """The stored text, or None."""
        return self._run(lambda c: c.get(key), None)

    def set(self, key: str, text: str, ttl: float) -> bool:
        """Store text for `ttl` seconds."""
        return bool(self._run(lambda c: c.set(key, text, timeout=ttl), key))

    def delete(self, key: str) -> bool:
        """Remove a key; True when it existed."""
        return bool(self._run(lambda c: c.delete(key), key))

    def exists(self, key: str) -> bool:
        """Whether the key is stored."""
        return bool(self._run(lambda c: c.has(key), None))

    def clear(self) -> bool:
        """Remove our keys only: a prefix scan in Redis, everything in the memory store."""
        self.memory.clear()
        if self.client is None:
            return True
        with self._state:
            self._clear_pending = True
        if self._usable():
            try:
                return self._clear_redis()
            except redis.RedisError as error:
                self._outage(error)
        return True

    def try_lock(self, key: str, ttl: float) -> LocalLock | RedisLock | None:
        """Take the lock on `key` without waiting, or None when another caller holds it.

        While Redis is reachable the lock is shared by every process and host; during an
        outage it falls back to a per-process lock.
        """
        if self._usable():
            held = RedisLock(self.client, self.lock_prefix + key, ttl)
            try:
                return held if held.acquire() else None
            except redis.RedisError as error:
                self._outage(error)
        local = LocalLock(key)
        return local if local.acquire() else None

    def _run(self, call: Callable[[BaseCache], Any], key: str | None) -> Any:
        if self._usable():
            try:
                return call(self.primary)
            except redis.RedisError as error:
                self._outage(error)
        if self.client is not None and key is not None:
            self._remember(key)
        return call(self.memory)

    def _usable(self) -> bool:
        if self.client is None:
            return False
        if not self.gate.down:
            return True
        # Down: one caller per interval tries Redis again, by replaying the outage's writes.
        if not self.gate.should_try():
            return False
        with self._state:
            try:
                self._replay()
            except redis.RedisError:
                self.gate.mark_down()
                return False
        if self.gate.mark_up() is not None:
            set_cache_fallback(False)
            logger.info("Redis cache reachable again; using Redis")
        return True

    def _outage(self, error: Exception) -> None:
        if not self.gate.mark_down():
            return
        set_cache_fallback(True)
        logger.warning("Redis cache unreachable (%s); serving from memory until it returns", error)

    def _remember(self, key: str) -> None:
        with self._state:
            if len(self._dirty) < MAX_DIRTY_KEYS:
                self._dirty.add(key)
            else:
                self._clear_pending = True

    def _replay(self) -> None:
        """Drop from Redis whatever was written or deleted in memory during the outage."""
        self.client.ping()
        if self._clear_pending:
            self._clear_redis()
        elif self._dirty:
            self.client.unlink(*(self.prefix + key for key in self._dirty))
        self._dirty.clear()
        self.memory.clear()

    def _clear_redis(self) -> bool:
        for batch in batched(
            self.client.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000), 500
        ):
            self.client.unlink(*batch)
        self._clear_pending = False
        return True


def _glob_escape(text: str) -> str:
    """Escape Redis MATCH wildcards, so a prefix like `a*` matches itself only."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)
