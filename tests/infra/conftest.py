"""Fixtures of the infrastructure tests (`make test-infra`): production settings on a migrated
scratch database each, and the run's Redis db.

These tests start real servers (gunicorn, nginx, PgBouncer, containers) and take minutes, so
`make test` leaves this directory out (pyproject.toml's norecursedirs); `make test-infra`
installs what they need first. A missing program fails them: nothing here is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infra.processes import PUBLIC_BASE_URL, migrate
from tests.support.environ import process_environ
from tests.support.run_resources import TEST_REDIS_URL


@pytest.fixture
def redis_url(redis_client) -> Iterator[str]:
    """The run's own Redis db, empty before and after the test."""
    redis_client.flushdb()
    yield TEST_REDIS_URL
    redis_client.flushdb()


@pytest.fixture
def database_url(scratch_database) -> str:
    """An empty PostgreSQL database of this test's own, dropped afterwards."""
    return scratch_database("infra")


@pytest.fixture
def environ(database_url: str, redis_url: str) -> dict[str, str]:
    """Production settings on the scratch database and the run's Redis db; mail only logged."""
    return process_environ(
        MENTORHUB_ENV="production",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        EMAIL_BACKEND="log",
        LOG_LEVEL="WARNING",
    )


@pytest.fixture
def migrated_environ(environ: dict[str, str]) -> dict[str, str]:
    """The same settings, with the database at the migrations' head as a deploy leaves it."""
    migrate(environ)
    return environ
