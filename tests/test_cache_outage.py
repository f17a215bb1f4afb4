"""The cache survives Redis going away mid-test: refused connections and a hung server.

Each test runs its own `redis-server` on a free port and kills or freezes that one, never the
machine's shared Redis.
"""

from __future__ import annotations

import logging
import time

import pytest

from mentorhub.services.cache import cache_service
from tests.support.redis_server import PrivateRedis

STORE_LOGGER = "mentorhub.cache.store"


@pytest.fixture
def outage_app(make_app, private_redis):
    """An app whose cache lives on the private Redis and probes it every 0.2 s when down."""
    app = make_app({"CACHE_RETRY_INTERVAL": 0.2}, REDIS_URL=private_redis.url)
    with app.app_context():
        yield app


def _warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == STORE_LOGGER and r.levelno == logging.WARNING
    ]


def _wait_for_redis_again(private_redis: PrivateRedis, timeout: float = 15) -> None:
    """Poll through the service until a write lands in Redis again."""
    direct = private_redis.client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cache_service.set("probe", "back", ttl=60)
        if direct.exists("mentorhub:cache:k:probe"):
            return
        time.sleep(0.1)
    raise AssertionError("the cache never went back to Redis")


def test_killed_redis_falls_back_to_memory_with_one_warning(outage_app, private_redis, caplog):
    caplog.set_level(logging.INFO, logger=STORE_LOGGER)
    cache_service.set("before", "outage", ttl=60)
    assert private_redis.client().exists("mentorhub:cache:k:before")

    private_redis.kill()
    started = time.monotonic()
    for index in range(50):
        assert cache_service.set(f"during-{index}", index, ttl=60)
        assert cache_service.get(f"during-{index}") == index
        assert cache_service.exists(f"during-{index}")
    assert cache_service.delete("during-0") is True
    assert cache_service.get("during-0") is None
    assert cache_service.clear() is True
    assert time.monotonic() - started < 10  # no call waits on the dead server
    assert len(_warnings(caplog)) == 1
    assert "serving from memory" in _warnings(caplog)[0]

    private_redis.start()
    _wait_for_redis_again(private_redis)
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    # A second outage is a new outage: one more warning.
    private_redis.kill()
    for _ in range(10):
        cache_service.get("anything")
    assert len(_warnings(caplog)) == 2


def test_a_hung_redis_costs_at_most_the_socket_timeout(outage_app, private_redis, caplog):
    caplog.set_level(logging.INFO, logger=STORE_LOGGER)
    cache_service.set("stale", "from before", ttl=600)
    private_redis.freeze()
    started = time.monotonic()
    for index in range(30):
        cache_service.set(f"hung-{index}", index, ttl=60)
        assert cache_service.get(f"hung-{index}") == index
    # Updated during the outage: Redis still holds the old value.
    cache_service.set("stale", "written during the outage", ttl=600)
    assert cache_service.get("stale") == "written during the outage"
    assert time.monotonic() - started < 10
    assert len(_warnings(caplog)) == 1

    private_redis.thaw()
    _wait_for_redis_again(private_redis)
    # Redis must not serve the value the outage superseded: the replay dropped it.
    assert cache_service.get("stale") is None
    assert private_redis.client().get("mentorhub:cache:k:stale") is None


def test_a_clear_during_the_outage_reaches_redis_when_it_returns(outage_app, private_redis):
    cache_service.set("old", "value", ttl=600)
    private_redis.freeze()
    cache_service.clear()
    private_redis.thaw()
    _wait_for_redis_again(private_redis)
    assert cache_service.get("old") is None


def test_requests_never_fail_while_redis_is_down(outage_app, private_redis, make_user):
    make_user("a@example.com")
    client = outage_app.test_client()
    assert client.get("/api/v1/stats/platform").status_code == 200
    private_redis.kill()
    for _ in range(5):
        response = client.get("/api/v1/stats/platform")
        assert response.status_code == 200
        assert response.get_json()["total_users"] == 1
