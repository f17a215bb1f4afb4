"""Where a limited request's time goes: CPU per request in-process, and a profile by package.

Calls each variant's WSGI app directly (no gunicorn, no wrk; Redis is the only socket), so the
figures are the Python work a request costs, without the scheduling noise of the load bench.
Each variant runs in a process of its own, beside a bare app measured in turns with it:
MentorHub's limiter is one module-wide instance, so two of its variants cannot share a process.

    REDIS_URL=redis://127.0.0.1:6379/0 python bench/limiter_profile.py [--profile]

The profile (cProfile, so inflated about threefold) groups own time by package; `socket` is
mostly waiting for Redis's reply, not CPU. Only the bench's own Redis keys are touched.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR.parent), str(BENCH_DIR)]

from limiter_app import VARIANTS, create_app  # noqa: E402
from limiter_load import CLIENTS, clear_bench_keys  # noqa: E402

WSGIApp = Callable[[dict, Callable], object]


def environ(n: int) -> dict:
    """A GET /ping from simulated client n, through the same X-Forwarded-For as the load bench."""
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/ping", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"10.0.{n // 256}.{n % 256}",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
    }  # fmt: skip


def serve(app: WSGIApp, count: int, first: int = 0) -> None:
    """Answer `count` requests from successive clients; every one must be a 200."""
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        statuses.append(status)

    for n in range(first, first + count):
        body = app(environ(n % CLIENTS), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()
    if any(not status.startswith("200") for status in statuses):
        raise SystemExit(f"non-200 answers: {sorted(set(statuses))}")


def cpu_per_request(apps: dict[str, WSGIApp], count: int, repeats: int) -> dict[str, float]:
    """Best CPU microseconds per request of each app, measured in turns."""
    best = dict.fromkeys(apps, float("inf"))
    for repeat in range(repeats):
        for name, app in apps.items():
            start = time.process_time()
            serve(app, count, repeat * count)
            best[name] = min(best[name], (time.process_time() - start) / count * 1e6)
    return best


def package(filename: str, function: str) -> str:
    """The package a profiled function belongs to, for grouping."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if f"{os.sep}mentorhub{os.sep}" in filename:
        return "mentorhub"
    if filename == "~":  # C functions: the socket calls (and their polls) wait for Redis
        return "socket" if "_socket.socket" in function or "poll" in function else "builtins"
    return "stdlib"


def profile(app: WSGIApp, count: int) -> dict[str, float]:
    """Profiled microseconds of own time per request, by package."""
    profiler = cProfile.Profile()
    profiler.enable()
    serve(app, count)
    profiler.disable()
    groups: collections.Counter[str] = collections.Counter()
    for (filename, _, function), row in pstats.Stats(profiler).stats.items():
        groups[package(filename, function)] += row[2]
    return {name: seconds / count * 1e6 for name, seconds in groups.items()}


def measure_variant(variant: str, args: argparse.Namespace) -> dict:
    """CPU per request of one variant and of bare beside it (and a profile): a child's job."""
    apps = {"bare": create_app("bare"), variant: create_app(variant)}
    for app in apps.values():
        serve(app, 500)  # warm-up: imports, the script loaded into Redis, connections
    result = {"cpu": cpu_per_request(apps, args.requests, args.repeats)}
    if args.profile:
        result["profile"] = profile(apps[variant], args.requests)
    return result


def main() -> None:
    """Measure every variant in a child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per timed repeat")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also a profile by package")
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # set for the child processes
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    if args.variant:
        print(json.dumps(measure_variant(args.variant, args)))
        return
    results = {}
    try:
        for variant in (v for v in VARIANTS if v != "bare"):
            command = [sys.executable, __file__, "--variant", variant, *sys.argv[1:]]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            results[variant] = json.loads(output)
    finally:
        clear_bench_keys(os.environ["REDIS_URL"])
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
