"""Fixtures of the infrastructure tests (`make test-infra`): a migrated scratch database each.

These tests start real servers (gunicorn, nginx, PgBouncer, containers) and take minutes, so
`make test` leaves this directory out (pyproject.toml's norecursedirs); `make test-infra`
installs what they need first. A missing program fails them: nothing here is skipped.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from tests.infra.processes import app_environ, run_flask
from tests.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL, admin_url


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own, dropped afterwards."""
    name = f"{make_url(TEST_DATABASE_URL).database}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The run's own Redis db, empty before and after the test."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield TEST_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def migrated_database(scratch_database: str, redis_url: str) -> str:
    """The scratch database at the migrations' head, migrated as a deploy does."""
    run_flask(app_environ(scratch_database, redis_url), "db", "upgrade")
    return scratch_database
