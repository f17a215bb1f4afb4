"""Load generation and reporting for the stats benchmark at scale.

Clients are threads in a few forked processes (so the GIL does not cap them), each sending
one request per connection, as gunicorn's sync workers close every connection anyway. Every
request is recorded: start time, latency, status and the `X-Bench-SQL` statement count.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from bench.common.figures import percentile

# A request is in an expiry window when it starts within this many seconds of a recompute.
WINDOW = 0.5
Record = tuple[float, float, int, int]  # start (epoch s), latency (s), status, SQL statements


def _request(port: int, raw: bytes) -> tuple[int, int]:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(raw)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    status = int(head[0].split(b" ", 2)[1])
    sql = 0
    for line in head[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"x-bench-sql":
            sql = int(value)
    return status, sql


def _client_process(port: int, raws: list[bytes], deadline: float, threads: int) -> list[Record]:
    records: list[Record] = []

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.time() < deadline:
            started = time.time()
            try:
                status, sql = _request(port, rng.choice(raws))
            except OSError:
                status, sql = 0, 0  # reported as an error, never silently dropped
            records.append((started, time.time() - started, status, sql))

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return records


def run_load(
    port: int, path: str, tokens: list[str] | None, seconds: float, clients: int
) -> list[Record]:
    """`clients` concurrent clients on `path` for `seconds`; every request's record."""
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    raws = [f"{head}Authorization: Bearer {t}\r\n\r\n".encode() for t in tokens or []]
    raws = raws or [f"{head}\r\n".encode()]
    processes = min(4, clients)
    deadline = time.time() + seconds
    with ProcessPoolExecutor(processes, mp_context=get_context("fork")) as pool:
        shares = [clients // processes + (i < clients % processes) for i in range(processes)]
        futures = [pool.submit(_client_process, port, raws, deadline, n) for n in shares]
        return [record for future in futures for record in future.result()]


def _percentile_ms(values: list[float], pct: float) -> float:
    return percentile(values, pct) * 1000 if values else 0.0


def _rate(records: list[Record]) -> float:
    span = max(s + lat for s, lat, _, _ in records) - min(s for s, *_ in records)
    return sum(1 for r in records if r[2] == 200) / span


def summarize(results: dict[str, list[Record]], args, workers: int) -> str:
    """The report: throughput, latency, expiry windows and statement counts."""
    bare = _rate(results["bare"])
    lines = [
        f"{args.clients} clients, gunicorn {workers} sync workers, STATS_CACHE_TTL={args.ttl} s",
        "",
        f"{'endpoint':<22}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'vs bare':>9}{'errors':>8}",
    ]
    for name, records in results.items():
        latencies = [lat for _, lat, _, _ in records]
        errors = sum(1 for r in records if r[2] != 200)
        p50, p99 = _percentile_ms(latencies, 50), _percentile_ms(latencies, 99)
        lines.append(
            f"{name:<22}{len(records):>10}{_rate(records):>9.0f}{p50:>9.1f}"
            f"{p99:>9.1f}{_rate(records) / bare:>9.2f}{errors:>8}"
        )
    platform = results["platform"]
    recomputes = sorted(start for start, _, _, sql in platform if sql > 0)
    in_windows = [
        lat for start, lat, _, _ in platform if any(abs(start - r) <= WINDOW for r in recomputes)
    ]
    lines += [
        "",
        f"platform cache expiries during the run: {len(recomputes)} (one recompute each)",
        f"platform p99 within +/-{WINDOW} s of an expiry: {_percentile_ms(in_windows, 99):.1f} ms "
        f"over {len(in_windows)} requests (target <= 100 ms)",
    ]
    uncached = results["platform, no cache"]
    per_request = sum(r[3] for r in uncached) / max(1, len(uncached))
    ran = sum(r[3] for r in platform)
    without = len(platform) * per_request
    saved = 100 * (1 - ran / without) if without else 0.0
    dashboard = results["dashboard"]
    lines += [
        f"platform stats SQL statements: {ran} ran for {len(platform)} requests; "
        f"{without:.0f} without the cache ({per_request:.0f} per request): {saved:.3f}% fewer",
        f"dashboard SQL statements per request: "
        f"{sum(r[3] for r in dashboard) / max(1, len(dashboard)):.1f} (id and role from the "
        "token, revocations in Redis: only the stats statement; per-user figures not cached)",
    ]
    return "\n".join(lines)
