"""What a benchmark's MentorHub processes run with: production settings, on its own services."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.redis_server import PrivateRedis


def production_environ(database_url: str, redis_url: str, **overrides: str | None) -> dict:
    """The environment of a production MentorHub on these services (None removes a variable).

    A fresh secret key per run; mail is logged, not sent, unless `overrides` give an SMTP server.
    """
    environ = {
        **os.environ,
        "MENTORHUB_ENV": "production",
        "FLASK_APP": "wsgi:app",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": "https://mentorhub.example.com",
        "EMAIL_BACKEND": "log",
        **overrides,
    }
    return {k: v for k, v in environ.items() if v is not None}


@contextmanager
def redis_url() -> Iterator[str]:
    """REDIS_URL when it is set, or else a private redis-server's, stopped at the end."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = PrivateRedis().start()
    try:
        yield server.url
    finally:
        server.kill()
