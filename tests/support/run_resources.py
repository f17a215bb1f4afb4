"""The PostgreSQL database and Redis db that belong to one test run, and nothing else.

Each run creates a database named after a fresh run id and claims a free Redis db number, so two
runs on one machine never touch each other's data (or a developer's). Both are exported through
TEST_DATABASE_URL / TEST_REDIS_URL so the servers and workers a test starts use the same ones,
and both are dropped or flushed when the run ends. Setting either variable by hand pins it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import threading
import time

import redis
from sqlalchemy.engine import make_url

from tests.support.databases import Database, drop_databases

BASE_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BASE_REDIS_URL = "redis://127.0.0.1:6379"
# Claims live in db 0 under our own prefix. A claim is short-lived and kept alive by a daemon
# thread while this process runs, so a killed run (or a worker that crashed on start-up) gives
# its db back within a couple of minutes instead of holding it for hours.
CLAIM_KEY = "mentorhub-test-run:claim:{db}"
CLAIM_SECONDS = 120
CLAIM_REFRESH_SECONDS = 30

RUN_ID = os.environ.setdefault("MENTORHUB_TEST_RUN_ID", secrets.token_hex(4))


_OWNER = f"{RUN_ID}:{os.getpid()}"


def _claim_redis_db() -> str:
    claims = redis.Redis.from_url(f"{BASE_REDIS_URL}/0", socket_timeout=5)
    try:
        for number in range(15, 0, -1):
            key = CLAIM_KEY.format(db=number)
            if not claims.set(key, _OWNER, nx=True, ex=CLAIM_SECONDS):
                continue
            with redis.Redis.from_url(f"{BASE_REDIS_URL}/{number}") as candidate:
                if candidate.dbsize() == 0:
                    _keep_claimed(key)
                    return f"{BASE_REDIS_URL}/{number}"
            claims.delete(key)
    finally:
        claims.close()
    raise RuntimeError("no empty, unclaimed Redis db on 127.0.0.1:6379 for this test run")


def _keep_claimed(key: str) -> None:
    def refresh() -> None:
        with redis.Redis.from_url(f"{BASE_REDIS_URL}/0", socket_timeout=5) as claims:
            while True:
                time.sleep(CLAIM_REFRESH_SECONDS)
                # A failed refresh is retried next time; the claim outlives one miss.
                with contextlib.suppress(redis.RedisError):
                    claims.set(key, _OWNER, xx=True, ex=CLAIM_SECONDS)

    threading.Thread(target=refresh, name="redis-db-claim", daemon=True).start()
    atexit.register(_give_back, key)


def _give_back(key: str) -> None:
    with redis.Redis.from_url(f"{BASE_REDIS_URL}/0", socket_timeout=5) as claims:
        if claims.get(key) == _OWNER.encode():
            claims.delete(key)


# Under pytest-xdist every worker process runs its own fixtures (and truncates its own tables),
# so each gets a database and Redis db of its own, derived from the run's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_INHERITED = os.environ.get("MENTORHUB_TEST_RESOURCES_OF") not in (None, _WORKER)
if _INHERITED:
    os.environ.pop("TEST_REDIS_URL", None)
    os.environ["TEST_DATABASE_URL"] += f"_{_WORKER}"
os.environ["MENTORHUB_TEST_RESOURCES_OF"] = _WORKER

TEST_DATABASE_URL = os.environ.setdefault(
    "TEST_DATABASE_URL",
    make_url(BASE_DATABASE_URL)
    .set(database=f"mentorhub_test_{RUN_ID}{'_' + _WORKER if _WORKER else ''}")
    .render_as_string(False),
)
_OWN_REDIS = "TEST_REDIS_URL" not in os.environ
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or _claim_redis_db()
os.environ["TEST_REDIS_URL"] = TEST_REDIS_URL


TEST_DATABASE = Database(TEST_DATABASE_URL)


def release() -> None:
    """Drop the run's databases, flush its Redis db and give the claim back."""
    drop_databases(TEST_DATABASE_URL, TEST_DATABASE.name)
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
    if _OWN_REDIS:
        _give_back(CLAIM_KEY.format(db=int(TEST_REDIS_URL.rsplit("/", 1)[1])))
