"""How the full-stack benchmarks run MentorHub: production, the limiter on and exact, far from
any client's limit, behind one trusted proxy."""

from __future__ import annotations

from bench.common.production import production_environ
from bench.common.stats_db import database_url


def fullstack_environ(redis_url: str, **overrides: str) -> dict:
    """Production settings on the seeded database and `redis_url`, the limiter always allowing."""
    return production_environ(
        database_url(),
        redis_url,
        RATE_LIMIT_ENABLED="true",
        # Far above what one simulated client sends: the bench measures allowed requests.
        RATE_LIMIT_REQUESTS="1000000",
        TRUSTED_PROXY_HOPS="1",
        # On a busy shared machine a 50 ms stall would (by design) move each worker to its own
        # memory bucket: the bench must measure the limiter on Redis, exact across workers.
        REDIS_SOCKET_TIMEOUT="1",
        **overrides,
    )
