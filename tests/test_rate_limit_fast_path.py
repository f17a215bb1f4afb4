"""The limiter's cheaper per-request path: same limits and headers, less work, safe connections."""

from __future__ import annotations

import os

import flask_limiter._limits
import pytest
import redis
from flask import Flask, jsonify
from flask_limiter import Limiter

from mentorhub.ratelimit.token_bucket import RedisBuckets
from tests.conftest import TEST_REDIS_URL
from tests.local_servers import PrivateRedis

ME = "/api/v1/auth/me"


@pytest.fixture
def headers(make_user, auth_headers) -> dict[str, str]:
    """A valid access token, so the probe route answers 200 when it is not limited."""
    return auth_headers(make_user())


def buckets_on(url: str) -> RedisBuckets:
    """Token buckets on a Redis URL with the app's 50 ms timeouts."""
    client = redis.Redis.from_url(url, socket_timeout=0.05, socket_connect_timeout=0.05)
    return RedisBuckets(client, lambda key: f"test-rl:{key}")


def test_the_client_limit_is_parsed_once_not_per_request(make_app, headers, monkeypatch):
    parsed: list[str] = []
    parse_many = flask_limiter._limits.parse_many
    monkeypatch.setattr(
        flask_limiter._limits, "parse_many", lambda text: parsed.append(text) or parse_many(text)
    )
    app = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="3", RATE_LIMIT_WINDOW="3600")
    client = app.test_client()
    assert [client.get(ME, headers=headers).status_code for _ in range(4)] == [200] * 3 + [429]
    assert parsed == ["3 per 3600 seconds"]


def probe_app(limiter_class: type[Limiter]) -> Flask:
    """A small app with a 2-per-minute application limit on `limiter_class`, in memory."""
    app = Flask(__name__)
    limiter_class(
        lambda: "client",
        app=app,
        storage_uri="memory://",
        application_limits=["2 per minute"],
        headers_enabled=True,
    )
    app.add_url_rule("/probe", "probe", lambda: jsonify(ok=True))
    return app


def test_a_forked_worker_opens_its_own_connection(redis_client):
    # gunicorn forks workers: a connection inherited from the parent would mix two processes'
    # replies on one socket.
    buckets = buckets_on(TEST_REDIS_URL)
    redis_client.delete("test-rl:fork")
    assert buckets.take("fork", 10, 3600, 1).remaining == 9
    inherited = list(buckets.idle)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports through the pipe and never returns into pytest
        try:
            remaining = buckets.take("fork", 10, 3600, 1).remaining
            fresh = not any(connection in inherited for connection in buckets.idle)
            os.write(write, f"{remaining} {fresh}".encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 100).decode() == "8 True"
    os.close(read)
    # The parent's own connection still works after the child has exited.
    assert buckets.take("fork", 10, 3600, 1).remaining == 7
    assert buckets.idle == inherited


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
    # NOSCRIPT twice (on the fresh server, then after the flush), each followed by one EVAL.
    assert calls["cmdstat_eval"]["calls"] == 2
    assert calls["cmdstat_evalsha"]["failed_calls"] == 2
