"""The token-bucket store on Redis: forks, late replies and a Redis that forgot the script."""

from __future__ import annotations

import os

import pytest
import redis

from mentorhub.ratelimit.token_bucket import RedisBuckets
from tests.support.redis_server import PrivateRedis
from tests.support.run_resources import TEST_REDIS_URL


def buckets_on(url: str) -> RedisBuckets:
    """Token buckets on a Redis URL with the app's 50 ms timeouts."""
    client = redis.Redis.from_url(url, socket_timeout=0.05, socket_connect_timeout=0.05)
    return RedisBuckets(client, lambda key: f"test-rl:{key}")


def test_a_forked_worker_shares_the_buckets_not_the_sockets(redis_client):
    # gunicorn forks workers after the app is built: a socket shared with the parent would mix
    # two processes' replies.
    buckets = buckets_on(TEST_REDIS_URL)
    redis_client.delete("test-rl:fork")
    assert buckets.take("fork", 10, 3600, 1).remaining == 9
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports through the pipe and never returns into pytest
        try:
            remaining = buckets.take("fork", 10, 3600, 1).remaining
            os.write(write, str(remaining).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 100).decode() == "8"
    os.close(read)
    # The parent's own connection still works after the child has exited.
    assert buckets.take("fork", 10, 3600, 1).remaining == 7


def test_a_late_reply_is_never_read_as_the_next_answer(private_redis: PrivateRedis):
    buckets = buckets_on(private_redis.url)
    buckets.take("warm-up", 10, 3600, 1)
    private_redis.freeze()
    with pytest.raises(redis.TimeoutError):
        buckets.take("first", 10, 3600, 1)
    private_redis.thaw()
    # Redis now answers the timed-out take too; the next take must get its own answer.
    result = buckets.take("second", 50, 3600, 3)
    assert (result.allowed, result.remaining) == (True, 47)


def test_a_script_forgotten_by_redis_is_loaded_again(private_redis: PrivateRedis):
    buckets = buckets_on(private_redis.url)
    server = private_redis.client()
    assert buckets.take("flushed", 10, 3600, 1).remaining == 9
    server.script_flush()
    assert buckets.take("flushed", 10, 3600, 1).remaining == 8
    assert buckets.take("flushed", 10, 3600, 1).remaining == 7
    calls = server.info("commandstats")
    server.close()
    # NOSCRIPT twice (on the fresh server, then after the flush), each followed by one load.
    assert calls["cmdstat_script|load"]["calls"] == 2
    assert calls["cmdstat_evalsha"]["failed_calls"] == 2
    assert calls["cmdstat_evalsha"]["calls"] - calls["cmdstat_evalsha"]["failed_calls"] == 3
