"""Where a limited request's time goes: CPU per request in-process, and a profile by package.

Calls each variant's WSGI app directly (no gunicorn, no wrk; Redis is the only socket), so the
figures are the Python work a request costs, without the scheduling noise of the load bench.
Each variant runs in a process of its own, beside a bare app measured in turns with it:
MentorHub's limiter is one module-wide instance, so two of its variants cannot share a process.

    python -m bench.limiter.profile [--profile]

The profile (cProfile, so inflated about threefold) groups own time by package; `socket` is
mostly waiting for Redis's reply, not CPU. Redis is a private redis-server, or REDIS_URL if set
(only the bench's own keys in it are touched).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench.common.in_process import WSGIApp, own_time_by_package, serve
from bench.common.production import redis_url as bench_redis
from bench.limiter.apps import VARIANTS, create_app
from bench.limiter.servers import CLIENTS, NETWORK, clear_bench_keys
from tests.support.servers import ROOT


def answer(app: WSGIApp, count: int, first: int = 0) -> None:
    """Answer `count` requests of /ping from successive clients, as the load bench sends them."""
    clients = [n % CLIENTS for n in range(first, first + count)]
    serve(app, "/ping", clients, NETWORK)


def cpu_per_request(apps: dict[str, WSGIApp], count: int, repeats: int) -> dict[str, float]:
    """Best CPU microseconds per request of each app, measured in turns."""
    best = dict.fromkeys(apps, float("inf"))
    for repeat in range(repeats):
        for name, app in apps.items():
            start = time.process_time()
            answer(app, count, repeat * count)
            best[name] = min(best[name], (time.process_time() - start) / count * 1e6)
    return best


def measure_variant(variant: str, args: argparse.Namespace) -> dict:
    """CPU per request of one variant and of bare beside it (and a profile): a child's job."""
    apps = {"bare": create_app("bare"), variant: create_app(variant)}
    for app in apps.values():
        answer(app, 500)  # warm-up: imports, the script loaded into Redis, connections
    result = {"cpu": cpu_per_request(apps, args.requests, args.repeats)}
    if args.profile:
        groups = own_time_by_package(lambda: answer(apps[variant], args.requests))
        result["profile"] = {name: s / args.requests * 1e6 for name, s in groups.items()}
    return result


def main() -> None:
    """Measure every variant in a child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per timed repeat")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also a profile by package")
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # set for the child processes
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure_variant(args.variant, args)))
        return
    results = {}
    with bench_redis() as redis_url:
        environ = {**os.environ, "REDIS_URL": redis_url}
        try:
            for variant in (v for v in VARIANTS if v != "bare"):
                command = [sys.executable, "-m", __spec__.name, "--variant", variant, *sys.argv[1:]]
                run = subprocess.run(
                    command, cwd=ROOT, env=environ, capture_output=True, text=True, check=True
                )
                results[variant] = json.loads(run.stdout)
        finally:
            clear_bench_keys(redis_url)
    report(results)


def report(results: dict[str, dict]) -> None:
    """Print CPU per request next to bare, then the profiles if there are any."""
    print(f"in-process, best of the repeats; {CLIENTS} clients\n")
    print(f"{'variant':>22}{'cpu us/req':>12}{'bare us/req':>13}{'added':>8}")
    for variant, result in results.items():
        cpu, bare = result["cpu"][variant], result["cpu"]["bare"]
        print(f"{variant:>22}{cpu:12.1f}{bare:13.1f}{cpu - bare:8.1f}")
    profiles = {variant: r["profile"] for variant, r in results.items() if "profile" in r}
    if not profiles:
        return
    names = sorted({n for p in profiles.values() for n in p}, key=lambda n: -max(
        p.get(n, 0.0) for p in profiles.values()
    ))  # fmt: skip
    print(f"\nprofiled own time, us per request (cProfile inflates it)\n{'package':>14}", end="")
    print("".join(f"{variant:>22}" for variant in profiles))
    for name in names:
        print(f"{name:>14}" + "".join(f"{p.get(name, 0.0):22.1f}" for p in profiles.values()))


if __name__ == "__main__":
    main()
