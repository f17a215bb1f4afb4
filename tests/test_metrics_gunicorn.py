"""/metrics under real gunicorn with two worker processes: counts merged exactly, ids echoed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.gunicorn import Gunicorn
from tests.support.http import request
from tests.support.prometheus_text import value

STATS = "/api/v1/stats/platform"
REQUESTS = "mentorhub_http_requests_total"


@pytest.fixture(scope="module")
def server(database_schema, redis_client, tmp_path_factory) -> Iterator[Gunicorn]:
    """gunicorn (2 workers) with a trusted proxy in front, so X-Request-ID is taken."""
    redis_client.flushdb()
    gunicorn = Gunicorn(tmp_path_factory.mktemp("gunicorn"), TRUSTED_PROXY_HOPS="1")
    gunicorn.start()
    yield gunicorn
    gunicorn.stop()


def scrape(port: int) -> str:
    status, _, body = request(port, "GET", "/metrics")
    assert status == 200
    return body.decode()


def served_by_each_process(server: Gunicorn) -> list[float]:
    """Stats requests each worker process counted, read from its own metrics file."""
    counts = []
    for path in server.metrics_dir.glob("counter_*.db"):
        for family in MultiProcessCollector.merge([str(path)]):
            counts += [
                s.value
                for s in family.samples
                if s.name == REQUESTS and s.labels.get("route") == STATS
            ]
    return counts


def test_requests_over_both_processes_are_counted_exactly(server):
    before = value(scrape(server.port), REQUESTS, route=STATS, method="GET", status="200") or 0
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Concurrent connections reach both processes; keep going until both have answered.
        while sent < 400 and (sent == 0 or len(served_by_each_process(server)) < 2):
            statuses = list(pool.map(lambda _: request(server.port, "GET", STATS)[0], range(40)))
            assert statuses == [200] * 40
            sent += 40
    per_process = served_by_each_process(server)
    assert len(per_process) == 2 and all(n > 0 for n in per_process), per_process
    page = scrape(server.port)
    assert value(page, REQUESTS, route=STATS, method="GET", status="200") == before + sent
    latency = "mentorhub_http_request_duration_seconds_count"
    assert value(page, latency, route=STATS, method="GET") == before + sent


def test_request_id_round_trips_from_a_trusted_proxy(server):
    _, headers, _ = request(server.port, "GET", STATS, headers={"X-Request-ID": "edge-7f3a-01"})
    assert headers["X-Request-ID"] == "edge-7f3a-01"
    # An error envelope carries it too.
    status, headers, _ = request(server.port, "GET", "/nope", headers={"X-Request-ID": "edge-02"})
    assert status == 404
    assert headers["X-Request-ID"] == "edge-02"


@pytest.mark.parametrize("supplied", ["has space", "x" * 200, "semi;colon", "<script>"])
def test_malformed_request_ids_are_replaced(server, supplied):
    _, headers, _ = request(server.port, "GET", STATS, headers={"X-Request-ID": supplied})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
