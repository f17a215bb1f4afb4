"""Where a full-stack request's time goes: MentorHub's WSGI app called in-process, profiled.

Builds the production app (limiter, cache and revocations on Redis, PostgreSQL) the way
`bench/fullstack.py` serves it, calls /stats/platform and /stats/dashboard directly (no gunicorn,
no wrk) and prints CPU microseconds per request beside a bare Flask app, then cProfile's own
time per request grouped by package (inflated by the profiler; `socket` is mostly waiting).

    REDIS_URL=redis://127.0.0.1:6379/0 python bench/fullstack_profile.py [--requests 2000]

Uses the database `bench/fullstack.py` seeded (BENCH_DATABASE_URL); touches only its own keys.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR.parent), str(BENCH_DIR)]

from limiter_profile import package  # noqa: E402
from stats_scale import DEFAULT_DB  # noqa: E402


def environ(path: str, n: int, token: str | None) -> dict:
    """A GET from simulated client n behind one proxy hop, with a bearer token if given."""
    env = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "bench",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": f"10.2.{n // 256 % 256}.{n % 256}", "wsgi.url_scheme": "http",
        "wsgi.input": None, "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }  # fmt: skip
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return env


def serve(app, path: str, count: int, tokens: list[str]) -> None:
    """Call the WSGI app `count` times and insist on 200s."""
    statuses = []
    for n in range(count):
        token = tokens[n % len(tokens)] if tokens else None
        body = app(environ(path, n, token), lambda status, headers, *_: statuses.append(status))
        b"".join(body)
        getattr(body, "close", lambda: None)()
    if set(statuses) != {"200 OK"}:
        raise SystemExit(f"{path}: {sorted(set(statuses))}")


def main() -> None:
    """Measure and profile both endpoints against bare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    os.environ.update(
        MENTORHUB_ENV="production",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_BASE_URL="https://mentorhub.example.com",
        EMAIL_BACKEND="log",
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_REQUESTS="1000000",
        TRUSTED_PROXY_HOPS="1",
        LOG_LEVEL="WARNING",
    )
    from _fullstack_bare import app as bare
    from stats_scale import mint_tokens

    from wsgi import app

    tokens = mint_tokens(dict(os.environ), 200)
    plan = {
        "bare": (bare, "/api/v1/stats/platform", []),
        "platform": (app, "/api/v1/stats/platform", []),
        "dashboard": (app, "/api/v1/stats/dashboard", tokens),
    }
    for target, path, toks in plan.values():
        serve(target, path, 300, toks)  # warm-up
    print(f"in-process CPU us per request, best of 5 x {args.requests}")
    for name, (target, path, toks) in plan.items():
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            serve(target, path, args.requests, toks)
            best = min(best, (time.process_time() - start) / args.requests * 1e6)
        print(f"{name:>10}: {best:7.1f}")
    for name in ("platform", "dashboard"):
        target, path, toks = plan[name]
        profiler = cProfile.Profile()
        profiler.enable()
        serve(target, path, args.requests, toks)
        profiler.disable()
        groups: collections.Counter[str] = collections.Counter()
        for (filename, _, function), row in pstats.Stats(profiler).stats.items():
            groups[package(filename, function)] += row[2]
        print(f"\n{name}: profiled own time, us per request, by package")
        for group, seconds in groups.most_common(12):
            print(f"{group:>20}: {seconds / args.requests * 1e6:7.1f}")


if __name__ == "__main__":
    main()
