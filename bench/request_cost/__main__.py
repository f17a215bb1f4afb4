"""Server CPU per hostile JSON body of 1 MiB, in-process, the old Python walk beside today's checks.

For each body shape it measures, in turns, round by round:

1. old walk: the bracket-depth walk the request guard used to run on every JSON body with more
   than 32 brackets (a Python loop over every bracket and string token), alone, kept here as
   the yardstick; the old request also parsed the body up to three times besides;
2. unmatched: the whole request to a URL no route matches, as the app answers it now;
3. login: the whole request to /api/v1/auth/login, as the app answers it now (its rate limits
   on Redis, the body refused or parsed once by C code).

Usage: python -m bench.request_cost [--rounds 5]
Needs Redis (REDIS_URL, or a private redis-server it starts); the database is never reached.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Callable

from bench.common.production import production_environ
from bench.common.production import redis_url as bench_redis
from tests.support.hostile_bodies import PARSED_BY_C, REFUSED_UNPARSED

UNMATCHED = "/api/v1/no-such-route"
LOGIN = "/api/v1/auth/login"
OLD_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def old_walk(body: bytes, limit: int = 32) -> bool:
    """The guard's former depth check: every string and bracket token visited in Python."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in OLD_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def cpu_ms(action: Callable[[], object]) -> float:
    """Process CPU milliseconds of one call."""
    started = time.process_time()
    action()
    return (time.process_time() - started) * 1000


def measure(client, body: bytes, rounds: int) -> dict[str, float]:
    """Least CPU milliseconds of each way over `rounds` interleaved rounds."""
    ways = {
        "old walk": lambda: old_walk(body),
        "unmatched": lambda: client.post(UNMATCHED, data=body, content_type="application/json"),
        "login": lambda: client.post(LOGIN, data=body, content_type="application/json"),
    }
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(rounds):
        for name, way in ways.items():
            best[name] = min(best[name], cpu_ms(way))
    return best


def main() -> None:
    """Print one row per body shape: CPU milliseconds of each way, and old walk / login."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with bench_redis() as redis, tempfile.TemporaryDirectory() as directory:
        os.environ.update(
            production_environ(
                f"sqlite:///{directory}/unused.db",
                redis,
                ALLOW_SQLITE_IN_PRODUCTION="true",
                RATE_LIMIT_REQUESTS="1000000",
                LOG_LEVEL="ERROR",
            )
        )
        from mentorhub import create_app

        client = create_app().test_client()
        print(f"load average {os.getloadavg()[0]:.1f}; CPU ms per request, best of {rounds}")
        print(f"{'body (1 MiB)':<22}{'old walk':>10}{'unmatched':>11}{'login':>8}{'old/login':>11}")
        for name, build in {**REFUSED_UNPARSED, **PARSED_BY_C}.items():
            figures = measure(client, build(), rounds)
            cells = "".join(f"{figures[way]:>{width}.1f}" for way, width in
                            (("old walk", 10), ("unmatched", 11), ("login", 8)))  # fmt: skip
            # Below the walk's bracket threshold the old guard skipped it: no ratio to give.
            ratio = (
                f"{figures['old walk'] / figures['login']:>10.1f}x"
                if name in REFUSED_UNPARSED
                else ""
            )
            print(f"{name:<22}{cells}{ratio}")


if __name__ == "__main__":
    main()
