"""No stampede: one recompute across processes at expiry, and takeover when the holder dies.

Callers run in separate Python processes (several threads each) against the suite's Redis, so
only a lock shared through Redis can keep the compute count at one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from mentorhub.cache import singleflight
from mentorhub.services.cache import cache_service
from tests.support.servers import ROOT

COMPUTES = "test:computes"
CHILD = r"""
import json, os, sys, threading, time
import redis
from mentorhub import create_app
from mentorhub.services.cache import cache_service

key, threads, delay, ttl = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
app = create_app("testing")
counter = redis.Redis.from_url(os.environ["REDIS_URL"])
go = threading.Event()
results = []

def compute():
    counter.incr("test:computes")
    time.sleep(delay)
    return {"by": os.getpid()}

def call():
    go.wait()
    with app.app_context():
        started = time.monotonic()
        value = cache_service.get_or_compute(key, compute, ttl=ttl)
        results.append({"value": value, "seconds": time.monotonic() - started})

workers = [threading.Thread(target=call) for _ in range(threads)]
for worker in workers:
    worker.start()
print("ready", flush=True)
sys.stdin.readline()
go.set()
for worker in workers:
    worker.join()
print(json.dumps(results), flush=True)
"""


@pytest.fixture
def sf_app(make_app):
    """An app on the suite's Redis with a socket timeout no loaded machine trips over."""
    app = make_app(REDIS_SOCKET_TIMEOUT="2")
    with app.app_context():
        yield app


def _spawn(app, key: str, threads: int, delay: float, ttl: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "MENTORHUB_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "REDIS_SOCKET_TIMEOUT": "2",
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, key, str(threads), str(delay), str(ttl)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _run_callers(app, key: str, delay: float, ttl: float, before_go=None) -> list[dict]:
    """50 callers: 5 processes x 10 threads, released together once all are ready."""
    children = [_spawn(app, key, threads=10, delay=delay, ttl=ttl) for _ in range(5)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        if before_go:
            before_go()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = []
        for child in children:
            out, _ = child.communicate(timeout=120)
            assert child.returncode == 0
            results += json.loads(out.strip().splitlines()[-1])
        return results
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


@pytest.mark.slow
def test_one_recompute_for_50_concurrent_callers_on_a_cold_key(sf_app, redis_client):
    results = _run_callers(sf_app, "cold-key", delay=1.0, ttl=60)
    assert len(results) == 50
    assert int(redis_client.get(COMPUTES)) == 1
    # Everyone got the one computed value: nobody computed their own.
    assert len({json.dumps(r["value"]) for r in results}) == 1


@pytest.mark.slow
def test_one_recompute_at_expiry_and_the_others_get_the_previous_value(sf_app, redis_client):
    key, ttl = "expiring-key", 4

    def wait_until_stale():
        # Stored only once every child is up: starting five interpreters on a busy machine can
        # take longer than the entry lives.
        cache_service.get_or_compute(key, lambda: {"by": "previous"}, ttl=ttl)
        while singleflight.fresh_until(cache_service.store(), key) > time.time():
            time.sleep(0.05)

    results = _run_callers(sf_app, key, delay=3.0, ttl=ttl, before_go=wait_until_stale)
    assert int(redis_client.get(COMPUTES)) == 1
    previous = [r for r in results if r["value"] == {"by": "previous"}]
    fresh = [r for r in results if r["value"] != {"by": "previous"}]
    assert len(previous) + len(fresh) == 50
    assert previous, "stale-while-revalidate should serve the previous value"
    # Served at once, not after the 3 s recompute.
    assert max(r["seconds"] for r in previous) < 2.0
    assert len({json.dumps(r["value"]) for r in fresh}) == 1


def test_another_process_takes_over_when_the_recomputing_one_is_killed(sf_app, redis_client):
    key = "takeover-key"
    holder = _spawn(sf_app, key, threads=1, delay=600, ttl=60)
    try:
        assert holder.stdout.readline().strip() == "ready"
        holder.stdin.write("go\n")
        holder.stdin.flush()
        deadline = time.monotonic() + 30
        while redis_client.get(COMPUTES) is None:
            assert time.monotonic() < deadline, "the holder never started computing"
            time.sleep(0.05)

        outcome: dict = {}

        def wait_for_value():
            with sf_app.app_context():
                outcome["value"] = cache_service.get_or_compute(
                    key, lambda: {"by": "taker"}, ttl=60
                )
                outcome["at"] = time.monotonic()

        taker = threading.Thread(target=wait_for_value)
        taker.start()
        # Well past the lock's TTL: the live holder's heartbeat keeps the others waiting.
        time.sleep(singleflight.LOCK_TTL * 2 + 1)
        assert "value" not in outcome

        holder.kill()
        holder.wait(timeout=20)
        killed_at = time.monotonic()
        taker.join(timeout=60)
        assert outcome["value"] == {"by": "taker"}
        assert outcome["at"] - killed_at < singleflight.LOCK_TTL + 5
    finally:
        if holder.poll() is None:
            holder.kill()


def test_the_embedded_memory_cache_recomputes_once_per_process(make_app):
    app = make_app(REDIS_URL=None)
    computes = []
    barrier = threading.Barrier(50)
    results = []

    def compute():
        computes.append(1)
        time.sleep(0.5)
        return {"n": len(computes)}

    def call():
        with app.app_context():
            barrier.wait()
            results.append(cache_service.get_or_compute("memory-key", compute, ttl=60))

    threads = [threading.Thread(target=call) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert computes == [1]
    assert results == [{"n": 1}] * 50
