"""Benchmark: bare Flask vs MentorHub's token bucket vs stock Flask-Limiter moving-window.

Starts one gunicorn per variant (2 sync workers each, the same settings), loads each with wrk
from 32 connections in interleaved rounds, and prints req/s, p50/p99, the workers' CPU per
request and the ratios to bare. A fourth variant, our token bucket in memory (per process, so
not a deployment), shows Flask-Limiter's own cost without a Redis round trip. Only 127.0.0.1 is
used; every server is stopped at the end.

    python -m bench.limiter [--duration 4] [--rounds 8]

Needs wrk (`apt-get install wrk`) and Linux (/proc, for the CPU figures). Redis is a private
redis-server, or REDIS_URL if set (only the bench's own keys in it are touched).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile

import redis

from bench.common.production import redis_url as bench_redis
from bench.common.wrk import run_wrk
from bench.limiter.apps import VARIANTS
from bench.limiter.servers import CLIENTS, WRK_SCRIPT, clear_bench_keys, start_server
from tests.support.servers import ServerProcess

Results = dict[str, list[dict[str, float]]]


def main() -> None:
    """Run the bench and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds per variant")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="per worker; 1 = sync worker")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    load_before = os.getloadavg()[0]
    with bench_redis() as redis_url:
        results = measure(args, redis_url)
    report(results, args)
    # Other work on the machine slows the limited variants more than bare (each Redis round trip
    # waits for the scheduler twice): judge the ratios with the load in mind.
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


def measure(args: argparse.Namespace, redis_url: str) -> Results:
    """A server per variant, warmed up, then loaded in interleaved rounds."""
    redis.Redis.from_url(redis_url).ping()
    clear_bench_keys(redis_url)
    servers: dict[str, tuple[ServerProcess, str]] = {}
    environ = {**os.environ, "REDIS_URL": redis_url}
    results: Results = {variant: [] for variant in VARIANTS}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        try:
            for variant in VARIANTS:
                servers[variant] = start_server(variant, environ, args.threads)
                wrk(servers[variant], script.name, 2, args.connections)  # warm-up
            for round_no in range(1, args.rounds + 1):
                for variant in VARIANTS:
                    result = wrk(servers[variant], script.name, args.duration, args.connections)
                    results[variant].append(result)
                    print(f"round {round_no} {variant:>20}: {result['rps']:8.0f} req/s", flush=True)
        finally:
            for server, _ in servers.values():
                server.stop()
            clear_bench_keys(redis_url)
    return results


def wrk(server: tuple[ServerProcess, str], script: str, seconds: int, connections: int) -> dict:
    """One wrk run against one variant's server."""
    process, url = server
    return run_wrk(process.pid, f"{url}/ping", seconds, connections, script)


def report(results: Results, args: argparse.Namespace) -> None:
    """Print medians over the rounds and the ratios to the bare endpoint."""
    medians = {
        variant: {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "cpu_us")}
        for variant, runs in results.items()
    }
    # Ratios are taken round by round (the runs of one round are seconds apart), then the
    # median: other load on the machine drifts less within a round than across the whole run.
    for variant, runs in results.items():
        medians[variant]["ratio"] = statistics.median(
            run["rps"] / bare["rps"] for run, bare in zip(runs, results["bare"], strict=True)
        )
    print(
        f"\ngunicorn 2 workers x {args.threads} thread(s), wrk -t2 -c{args.connections}, "
        f"{args.duration} s x {args.rounds} rounds, {CLIENTS} clients; medians"
    )
    columns = ("req/s", "p50 ms", "p99 ms", "vs bare", "cpu us/req", "non-2xx")
    print(f"{'variant':>20}" + "".join(f"{c:>11}" for c in columns))
    for variant, m in medians.items():
        errors = sum(r["errors"] for r in results[variant])
        figures = (m["rps"], m["p50"], m["p99"], m["ratio"], m["cpu_us"], errors)
        formats = ("{:11.0f}", "{:11.2f}", "{:11.2f}", "{:11.2f}", "{:11.0f}", "{:11d}")
        cells = "".join(f.format(v) for f, v in zip(formats, figures, strict=True))
        print(f"{variant:>20}{cells}")


if __name__ == "__main__":
    main()
