"""The limiter against a private Redis that this module can stop: round trips and outages."""

from __future__ import annotations

import logging
import time

import pytest
import redis

ME = "/api/v1/auth/me"
# REDIS_SOCKET_TIMEOUT is 50 ms; the rest is a request's own work on a loaded 2-core machine.
SLOWEST_ALLOWED = 0.3
STRATEGY_LOGGER = "mentorhub.ratelimit.failover"


@pytest.fixture
def headers(make_user, auth_headers) -> dict[str, str]:
    """A valid access token, so the probe route answers 200 when it is not limited."""
    return auth_headers(make_user())


def command_calls(client: redis.Redis) -> dict[str, int]:
    """Calls per command the server has run, not counting INFO itself."""
    stats = client.info("commandstats")
    return {name: value["calls"] for name, value in stats.items() if name != "cmdstat_info"}


def timed_get(client, headers: dict) -> tuple[int, float]:
    start = time.perf_counter()
    response = client.get(ME, headers=headers)
    return response.status_code, time.perf_counter() - start


def test_one_round_trip_per_request_headers_included(make_app, private_redis):
    app = make_app(RATE_LIMIT_ENABLED="true", REDIS_URL=private_redis.url)
    client = app.test_client()
    client.get(ME)  # loads the script into the fresh server
    direct = private_redis.client()  # one connection, so its own HELLO is not counted twice
    before = command_calls(direct)
    for _ in range(10):
        # No token: the view refuses before any other Redis work, so only the limiter counts.
        response = client.get(ME)
        assert response.status_code == 401
        assert "X-RateLimit-Remaining" in response.headers
    after = command_calls(direct)
    delta = {name: after[name] - before.get(name, 0) for name in after}
    # One EVALSHA per request; the rest are the calls inside that script.
    script = {"cmdstat_time": 10, "cmdstat_hmget": 10, "cmdstat_hset": 10, "cmdstat_pexpire": 10}
    assert {name: n for name, n in delta.items() if n} == {"cmdstat_evalsha": 10, **script}


def test_outage_falls_back_to_memory_and_recovers(make_app, private_redis, headers, caplog):
    caplog.set_level(logging.INFO, logger=STRATEGY_LOGGER)
    app = make_app(
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_REQUESTS="5",
        RATE_LIMIT_WINDOW="3600",
        REDIS_URL=private_redis.url,
    )
    client = app.test_client()
    assert [timed_get(client, headers)[0] for _ in range(2)] == [200, 200]  # 3 left in Redis

    private_redis.freeze()
    outage = [timed_get(client, headers) for _ in range(8)]
    # This process's memory bucket starts full: 5 pass, then its own limit applies.
    assert [status for status, _ in outage] == [200] * 5 + [429] * 3
    assert max(seconds for _, seconds in outage) < SLOWEST_ALLOWED
    assert warnings(caplog) == 1

    private_redis.thaw()
    # Redis is tried again about once a second. Its bucket had 3 tokens left; the memory one is
    # empty, so the next 200 comes from Redis. (A request that timed out may still have been
    # run once the server woke, so the exact count left is not known.)
    deadline = time.monotonic() + 30
    while True:
        response = client.get(ME, headers=headers)
        if response.status_code == 200:
            break
        assert time.monotonic() < deadline, "the limiter never went back to Redis"
        time.sleep(0.1)
    (key,) = private_redis.client().keys("*token-bucket*")
    tokens = float(private_redis.client().hget(key, "tokens"))
    assert response.headers["X-RateLimit-Remaining"] == str(int(tokens)) in {"0", "1", "2"}
    assert any("reachable again" in r.message for r in caplog.records)

    private_redis.kill()
    assert [timed_get(client, headers)[0] for _ in range(2)] == [429, 429]  # memory: still empty
    assert warnings(caplog) == 2  # one per outage


def warnings(caplog) -> int:
    return sum(
        1 for r in caplog.records if r.name == STRATEGY_LOGGER and r.levelno == logging.WARNING
    )
