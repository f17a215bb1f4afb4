"""The token bucket: capacity N, refilled continuously at N / W tokens per second.

Two stores share the algorithm: `RedisBuckets` runs it as one server-side script (one round
trip, Redis server time), `MemoryBuckets` runs it under a lock in this process.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis import Redis

# Refill arithmetic is in floating point; this keeps 0.9999999999 tokens from counting as 0.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class BucketResult:
    """What one take did, and everything the rate-limit headers need."""

    allowed: bool
    remaining: int
    full_at: float
    retry_after: float
    # Values of the extra keys the take was asked to read, in order (Redis only).
    values: tuple[bytes | None, ...] = ()


# KEYS[1]: the bucket; KEYS[2..]: keys to read along the way. ARGV: capacity, window seconds,
# cost (0 only looks). Returns integers (Redis truncates Lua numbers): allowed, whole tokens
# left, the epoch millisecond (server clock) when the bucket is full again, milliseconds until
# `cost` tokens; then the values of KEYS[2..] (false, that is nil, where missing).
TAKE_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = capacity / tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
if tokens == nil then
  tokens = capacity
else
  tokens = math.min(capacity, tokens + math.max(0, now - tonumber(state[2])) * rate)
end
local allowed = 0
local retry = 0
if tokens + 1e-9 >= cost then
  allowed = 1
  tokens = math.max(0, tokens - cost)
elseif cost > 0 then
  retry = (cost - tokens) / rate
end
local full_in = (capacity - tokens) / rate
if full_in > 0 and allowed == 1 and cost > 0 then
  redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(full_in * 1000))
end
local full_at_ms = math.ceil((now + full_in) * 1000)
local reply = {allowed, math.floor(tokens + 1e-9), full_at_ms, math.ceil(retry * 1000)}
if #KEYS > 1 then
  local values = redis.call('MGET', unpack(KEYS, 2))
  for i = 1, #KEYS - 1 do reply[4 + i] = values[i] end
end
return reply
"""


class RedisBuckets:
    """Buckets in Redis, shared by every process; one EVALSHA per take."""

    def __init__(self, client: Redis, prefixed_key: Callable[[str], str]) -> None:
        self.client = client
        self.prefixed_key = prefixed_key
        # redis-py's Script sends EVALSHA, and loads the script again when a restarted or
        # flushed Redis has forgotten it.
        self.script = client.register_script(TAKE_SCRIPT)

    def take(
        self, key: str, capacity: int, window: float, cost: int, reads: Sequence[str] = ()
    ) -> BucketResult:
        """Refill, take `cost` tokens if they are there, read `reads` (raises redis errors)."""
        keys = [self.prefixed_key(key), *reads]
        reply = self.script(keys=keys, args=[capacity, window, cost])
        allowed, remaining, full_at_ms, retry_ms, *values = reply
        return BucketResult(
            bool(allowed), remaining, full_at_ms / 1000, retry_ms / 1000, tuple(values)
        )

    def clear(self, key: str) -> None:
        """Forget a bucket (it is full again)."""
        self.client.delete(self.prefixed_key(key))


class MemoryBuckets:
    """Buckets in this process, thread-safe; full buckets are dropped, so idle clients cost none."""

    SWEEP_SECONDS = 60.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # key -> (tokens, monotonic time of that count, monotonic time it is full again)
        self.buckets: dict[str, tuple[float, float, float]] = {}
        self.next_sweep = time.monotonic() + self.SWEEP_SECONDS

    def take(
        self, key: str, capacity: int, window: float, cost: int, reads: Sequence[str] = ()
    ) -> BucketResult:
        """Refill, then take `cost` tokens if they are there; `reads` has no Redis to read."""
        rate = capacity / window
        with self.lock:
            # The monotonic clock cannot jump with NTP; wall time is only for the headers.
            now = time.monotonic()
            tokens, updated, _ = self.buckets.get(key, (capacity, now, now))
            tokens = min(capacity, tokens + max(0.0, now - updated) * rate)
            allowed = tokens + EPSILON >= cost
            retry = 0.0
            if allowed:
                tokens = max(0.0, tokens - cost)
            elif cost > 0:
                retry = (cost - tokens) / rate
            full_in = (capacity - tokens) / rate
            if full_in > 0 and allowed and cost > 0:
                self.buckets[key] = (tokens, now, now + full_in)
            if now >= self.next_sweep:
                self._sweep(now)
        remaining = math.floor(tokens + EPSILON)
        return BucketResult(allowed, remaining, time.time() + full_in, retry)

    def clear(self, key: str) -> None:
        """Forget a bucket (it is full again)."""
        with self.lock:
            self.buckets.pop(key, None)

    def _sweep(self, now: float) -> None:
        full = [key for key, (_, _, full_at) in self.buckets.items() if full_at <= now]
        for key in full:
            del self.buckets[key]
        self.next_sweep = now + self.SWEEP_SECONDS
