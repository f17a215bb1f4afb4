"""Where a full-stack request's time goes: MentorHub's WSGI app called in-process, profiled.

Builds the production app (limiter, cache and revocations on Redis, PostgreSQL) the way
`python -m bench.fullstack` serves it, calls /stats/platform and /stats/dashboard directly (no
gunicorn, no wrk) and prints CPU microseconds per request beside a bare Flask app, then
cProfile's own time per request grouped by package (inflated by the profiler; `socket` is
mostly waiting).

    python -m bench.fullstack.profile [--requests 2000]

Uses the database `bench.fullstack` seeded (BENCH_DATABASE_URL), and a private redis-server
or REDIS_URL if set.
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common.in_process import own_time_by_package, serve
from bench.common.production import redis_url as bench_redis
from bench.common.stats_db import mint_tokens
from bench.fullstack.settings import fullstack_environ

NETWORK = "10.2"


def main() -> None:
    """Measure and profile both endpoints against bare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with bench_redis() as redis_url:
        os.environ.update(fullstack_environ(redis_url, LOG_LEVEL="WARNING"))
        measure(args.requests)


def measure(requests: int) -> None:
    """Print CPU per request of each endpoint and bare, then the profiles."""
    # Imported once the environment is set: the app is built from it.
    from bench.fullstack.bare_app import app as bare
    from wsgi import app

    tokens = mint_tokens(dict(os.environ), 200)
    plan = {
        "bare": (bare, "/api/v1/stats/platform", []),
        "platform": (app, "/api/v1/stats/platform", []),
        "dashboard": (app, "/api/v1/stats/dashboard", tokens),
    }
    for target, path, toks in plan.values():
        serve(target, path, range(300), NETWORK, toks)  # warm-up
    print(f"in-process CPU us per request, best of 5 x {requests}")
    for name, (target, path, toks) in plan.items():
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            serve(target, path, range(requests), NETWORK, toks)
            best = min(best, (time.process_time() - start) / requests * 1e6)
        print(f"{name:>10}: {best:7.1f}")
    for name in ("platform", "dashboard"):
        target, path, toks = plan[name]
        groups = own_time_by_package(lambda: serve(target, path, range(requests), NETWORK, toks))  # noqa: B023
        print(f"\n{name}: profiled own time, us per request, by package")
        for group, seconds in groups.most_common(12):
            print(f"{group:>20}: {seconds / requests * 1e6:7.1f}")


if __name__ == "__main__":
    main()
