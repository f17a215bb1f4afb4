"""Exactness across processes: two gunicorn servers share one Redis bucket per client."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/stats/platform"
SPEC_429 = {"status_code": 429, "message": "Too many requests. Please try again later."}
CAPACITY = 100
REQUESTS = 1000
THREADS = 50
ROUNDS = 20


def get(port: int, client_ip: str) -> tuple[int, bytes]:
    """One request on a fresh connection, as a client behind our proxy at `client_ip`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", PATH, headers={"X-Forwarded-For": client_ip})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited during start-up"
        try:
            if get(port, "127.0.0.1")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} did not answer within 60 s")


@pytest.fixture
def two_servers(database_schema, redis_client, tmp_path) -> Iterator[list[int]]:
    """Two gunicorn servers (two workers each) on the suite's database and Redis."""
    redis_client.flushdb()
    environ = {
        **os.environ,
        "MENTORHUB_ENV": "testing",
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": TEST_SECRET,
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
    servers = []
    for n in range(2):
        port = free_port()
        log = open(tmp_path / f"gunicorn-{n}.log", "w")  # noqa: SIM115 (closed below)
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--no-control-socket",
                   "--bind", f"127.0.0.1:{port}", "wsgi:app"]  # fmt: skip
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=log)
        servers.append((process, port, log))
    try:
        for process, port, _ in servers:
            wait_until_up(process, port)
        yield [port for _, port, _ in servers]
    finally:
        for process, _, _ in servers:
            process.terminate()
        for process, _, log in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


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
        for path in log_dir.glob("gunicorn-*.log")
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
