"""The environment of the test apps, and of the servers and workers a test starts.

Everything runs on the test run's own PostgreSQL database and Redis db (`run_resources`). An
override of None removes a variable.
"""

from __future__ import annotations

import os

from tests.support.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"


def app_environ(**overrides: str | None) -> dict[str, str]:
    """Settings for a test app: the run's database and Redis db, rate limiting off."""
    environ = {
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": TEST_SECRET,
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "INFO",
        **overrides,
    }
    return {k: v for k, v in environ.items() if v is not None}


def process_environ(**overrides: str | None) -> dict[str, str]:
    """The whole environment of a server or worker process started with the test app's settings."""
    environ = {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "MENTORHUB_ENV": "testing",
        **app_environ(),
        **overrides,
    }
    return {k: v for k, v in environ.items() if v is not None}
