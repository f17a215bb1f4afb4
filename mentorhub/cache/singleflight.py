"""Single-flight recomputation with stale-while-revalidate: no cache stampede at expiry.

An entry stores its value with a `fresh_until` time and lives in the cache for twice its TTL.
When it is no longer fresh, the first caller to win a short lock recomputes it; every other
caller is served the previous value at once, or (when there is none yet) waits for that one
computation. The lock is a Redis lock shared by every process and host while Redis is up, and
a per-process lock otherwise. The holder refreshes the lock while it works, so a slow
computation is never duplicated, yet a holder that dies loses the lock within LOCK_TTL seconds
and the next caller takes over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.exceptions import LockNotOwnedError

from mentorhub.cache import codec as cache_codec
from mentorhub.cache.locks import LocalLock, RedisLock
from mentorhub.cache.store import FailoverStore
from mentorhub.observability.recording import record_cache_event

logger = logging.getLogger(__name__)
LOCK_TTL = 3.0
POLL_INTERVAL = 0.02
# A live holder that computes for longer than this no longer keeps the others waiting.
MAX_WAIT = 30.0


def get_or_compute(store: FailoverStore, key: str, compute: Callable[[], Any], ttl: float) -> Any:
    """Return the cached value of `key`, computing it at most once across processes."""
    if ttl <= 0:
        raise ValueError("a single-flight entry needs a positive ttl")
    skey = cache_codec.storage_key(key)
    give_up_at = time.monotonic() + MAX_WAIT
    while True:
        entry = _read(store, skey)
        if entry is not None and entry[1] > time.time():
            record_cache_event(key, "hit")
            return entry[0]
        lock = store.try_lock(skey, LOCK_TTL)
        if lock is not None:
            if entry is None:
                record_cache_event(key, "miss")
            return _recompute(store, key, compute, ttl, lock)
        if entry is not None:
            record_cache_event(key, "stale")
            return entry[0]
        if time.monotonic() > give_up_at:
            logger.warning("gave up waiting for %r to be computed; computing it here", key)
            value = compute()
            _write(store, skey, value, ttl)
            return value
        time.sleep(POLL_INTERVAL)


def fresh_until(store: FailoverStore, key: str) -> float | None:
    """When the entry for `key` stops being fresh (epoch seconds), or None without one."""
    entry = _read(store, cache_codec.storage_key(key))
    return None if entry is None else entry[1]


def _recompute(
    store: FailoverStore,
    key: str,
    compute: Callable[[], Any],
    ttl: float,
    lock: LocalLock | RedisLock,
) -> Any:
    skey = cache_codec.storage_key(key)
    try:
        # Another caller may have refreshed the entry between our read and our lock.
        entry = _read(store, skey)
        if entry is not None and entry[1] > time.time():
            record_cache_event(key, "hit")
            return entry[0]
        record_cache_event(key, "recompute")
        with _heartbeat(lock):
            value = compute()
        _write(store, skey, value, ttl)
        return value
    finally:
        lock.release()


def _read(store: FailoverStore, skey: str) -> tuple[Any, float] | None:
    try:
        entry = cache_codec.decode(store.get(skey))
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("fresh_until"), int | float):
        return None
    return entry.get("value"), float(entry["fresh_until"])


def _write(store: FailoverStore, skey: str, value: Any, ttl: float) -> None:
    text = cache_codec.encode({"value": value, "fresh_until": time.time() + ttl})
    # Kept past its freshness, so the next expiry has a previous value to serve meanwhile.
    store.set(skey, text, ttl=int(ttl * 2) + 1)


@contextmanager
def _heartbeat(lock: LocalLock | RedisLock) -> Iterator[None]:
    """Keep a Redis lock alive while its holder works; it lapses if the process dies."""
    if not isinstance(lock, RedisLock):
        yield
        return
    done = threading.Event()

    def beat() -> None:
        while not done.wait(LOCK_TTL / 3):
            try:
                lock.refresh()
            except LockNotOwnedError:
                logger.info("cache lock expired while its holder was still computing")
                return
            except redis.RedisError as error:
                # A missed beat is not fatal: the lock lives LOCK_TTL, long enough for the next.
                logger.info("cache lock heartbeat missed: %s", error)

    thread = threading.Thread(target=beat, name="cache-lock-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
