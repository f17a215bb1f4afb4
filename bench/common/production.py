"""What a benchmark's MentorHub processes run with: production settings, on its own services."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.databases import Database
from tests.support.redis_server import PrivateRedis
from tests.support.servers import run_flask

SERVER_URL = "postgresql://postgres@127.0.0.1:5432"


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


@contextmanager
def migrated_services(name: str, **overrides: str | None) -> Iterator[dict]:
    """A new database (`<name>_<random>`, migrated) and a private redis-server, with production
    settings on them; the database is dropped and the server stopped afterwards."""
    database = Database(f"{SERVER_URL}/{name}_{secrets.token_hex(3)}").create()
    server = PrivateRedis().start()
    try:
        environ = production_environ(database.url, server.url, **overrides)
        run_flask(environ, "db", "upgrade").check_returncode()
        yield environ
    finally:
        server.kill()
        database.drop()
