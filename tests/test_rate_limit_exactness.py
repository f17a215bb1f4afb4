"""Exactness across processes: two gunicorn servers share one Redis bucket per client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.gunicorn import Gunicorn
from tests.support.http import request

PATH = "/api/v1/stats/platform"
SPEC_429 = {"status_code": 429, "message": "Too many requests. Please try again later."}
CAPACITY = 100
REQUESTS = 1000
THREADS = 50
ROUNDS = 20


def get(port: int, client_ip: str) -> tuple[int, bytes]:
    """One request on a fresh connection, as a client behind our proxy at `client_ip`."""
    status, _, body = request(port, "GET", PATH, headers={"X-Forwarded-For": client_ip})
    return status, body


@pytest.fixture
def two_servers(database_schema, redis_client, tmp_path) -> Iterator[list[int]]:
    """Two gunicorn servers (two workers each) on the suite's database and Redis."""
    redis_client.flushdb()
    environ = {
        "RATE_LIMIT_ENABLED": "true",
        "RATE_LIMIT_REQUESTS": str(CAPACITY),
        # One token a day comes back: no refill can blur a count taken in a few seconds.
        "RATE_LIMIT_WINDOW": "86400",
        "TRUSTED_PROXY_HOPS": "1",
        # This test is about atomicity, not outages: on a busy shared host a 50 ms stall of Redis
        # would (by design) count as an outage and move each process to its own memory bucket.
        "REDIS_SOCKET_TIMEOUT": "2",
        "LOG_LEVEL": "WARNING",
    }
    servers = [Gunicorn(tmp_path / f"gunicorn-{n}", **environ) for n in range(2)]
    try:
        for server in servers:
            server.start(wait=False)
        for server in servers:
            server.wait()
        yield [server.port for server in servers]
    finally:
        for server in servers:
            server.stop()


def burst(ports: list[int], client_ip: str) -> list[tuple[int, bytes]]:
    """REQUESTS requests from THREADS threads released together, alternating the servers."""
    start = threading.Barrier(THREADS)

    def worker(n: int) -> list[tuple[int, bytes]]:
        start.wait()
        return [get(ports[(n + i) % 2], client_ip) for i in range(REQUESTS // THREADS)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [answer for answers in pool.map(worker, range(THREADS)) for answer in answers]


def fallbacks(log_dir: Path) -> list[str]:
    """The servers' log lines saying the limiter fell back to memory (to explain a failure)."""
    return [
        line
        for path in log_dir.glob("gunicorn-*/app.log")
        for line in path.read_text().splitlines()
        if "storage unreachable" in line
    ]


@pytest.mark.slow
def test_exactly_the_capacity_passes_across_two_servers(two_servers, tmp_path):
    for round_no in range(ROUNDS):
        # A fresh client each round, so each round starts on a full bucket.
        answers = burst(two_servers, f"10.77.{round_no}.1")
        statuses = [status for status, _ in answers]
        context = f"round {round_no}; fallbacks: {fallbacks(tmp_path)[:3]}"
        assert statuses.count(200) == CAPACITY, context
        assert statuses.count(429) == REQUESTS - CAPACITY, context
        assert all(json.loads(body) == SPEC_429 for status, body in answers if status == 429)
