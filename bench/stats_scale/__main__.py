"""Benchmark: the stats endpoints at 1,000,000 users and 2,000,000 sessions on PostgreSQL.

Seeds its own database with `flask seed-demo`, starts a private redis-server and gunicorn
(sync workers) serving `bench/stats_scale/app.py`, then loads each endpoint from 32 concurrent
clients. It prints requests/s and p50/p99 for /stats/platform and /stats/dashboard beside a bare
Flask JSON endpoint on the same server, the platform p99 inside the cache-expiry windows, and
the stats SQL statements that ran against how many would have run without the cache.

    python -m bench.stats_scale [--users 1000000] [--sessions 2000000] [--duration 30]
                                [--ttl 5] [--clients 32] [--workers 4] [--reuse]

BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/mentorhub_bench_stats) is
dropped and recreated unless --reuse finds it already seeded; no other database is touched.
"""

from __future__ import annotations

import argparse

from bench.common.production import production_environ
from bench.common.stats_db import database_url, mint_tokens, prepare_database
from bench.stats_scale.load import run_load, summarize
from tests.support.redis_server import PrivateRedis
from tests.support.servers import ServerProcess, free_port, gunicorn_command


def main() -> None:
    """Seed, serve, load and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=2_000_000)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per endpoint")
    parser.add_argument("--ttl", type=int, default=5, help="STATS_CACHE_TTL for the run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    if args.duration < 2 * args.ttl + 2:
        parser.error("--duration must cover at least two cache expiries (2 x --ttl + 2)")

    url, http_port = database_url(), free_port()
    redis_server = PrivateRedis().start()
    env = production_environ(
        url,
        redis_server.url,
        STATS_CACHE_TTL=str(args.ttl),
        # The bench measures the stats, not the limiter (bench.limiter does that).
        RATE_LIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    gunicorn = None
    try:
        print(f"database: {prepare_database(url, env, args.users, args.sessions, args.reuse)}")
        command = gunicorn_command(
            http_port, "--workers", str(args.workers), "--worker-class", "sync",
            "--backlog", "2048", "--log-level", "warning", app="bench.stats_scale.app:app",
        )  # fmt: skip
        gunicorn = ServerProcess(command, env)
        gunicorn.wait_for_http(f"http://127.0.0.1:{http_port}/health")
        tokens = mint_tokens(env, 2000)
        plan = [
            ("bare", "/bench/bare", False, args.duration),
            ("platform", "/api/v1/stats/platform", False, args.duration),
            ("dashboard", "/api/v1/stats/dashboard", True, args.duration),
            ("platform, no cache", "/bench/platform-uncached", False, args.duration / 3),
            ("platform, COUNT(*)", "/bench/platform-count", False, args.duration / 3),
        ]
        for _, path, auth, _ in plan:  # warm every worker, connection pool and page cache
            run_load(http_port, path, tokens if auth else None, 2.0, args.clients)
        results = {}
        for name, path, auth, seconds in plan:
            print(f"loading {path} for {seconds:.0f} s from {args.clients} clients...", flush=True)
            results[name] = run_load(
                http_port, path, tokens if auth else None, seconds, args.clients
            )
        print()
        print(summarize(results, args, workers=args.workers))
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        redis_server.kill()


if __name__ == "__main__":
    main()
