"""The notification benchmark's own services: a database, a private Redis, the SMTP port.

The database (BENCH_DATABASE_URL, default a `mentorhub_bench_notifications_<pid>` database on
local PostgreSQL) is recreated for each phase and dropped at the end. Redis is a private
redis-server, so no other user of the machine's Redis can disturb it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis
from flask import Flask

from tests.support.databases import Database
from tests.support.redis_server import PrivateRedis

SECRET = "bench-secret-key-that-is-long-enough-for-signing-tokens"


@dataclass
class Services:
    """Where the run's app, workers and producers find their database, Redis and SMTP server."""

    database: Database
    redis: PrivateRedis
    smtp_port: int

    @classmethod
    def start(cls, smtp_port: int) -> Services:
        """The run's database (not created yet) and a running private Redis."""
        url = os.environ.get("BENCH_DATABASE_URL") or (
            f"postgresql://postgres@127.0.0.1:5432/mentorhub_bench_notifications_{os.getpid()}"
        )
        return cls(Database(url), PrivateRedis().start(), smtp_port)

    def environ(self, **overrides: str) -> dict[str, str]:
        """The environment of the app, its workers and the producers."""
        return {
            **os.environ,
            "DATABASE_URL": self.database.url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": SECRET,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "FLASK_APP": "wsgi:app",
            "MENTORHUB_ENV": "development",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_ENABLED": "false",
            **overrides,
        }

    def make_app(self) -> Flask:
        """The app, built from the run's environment."""
        os.environ.update(self.environ())
        from mentorhub import create_app

        return create_app()

    def reset(self, app: Flask) -> None:
        """A fresh database with the app's tables, and an empty Redis."""
        from mentorhub.extensions import db

        self.database.create()
        with app.app_context():
            db.create_all()
        redis.Redis.from_url(self.redis.url).flushdb()

    def postgres_pids(self) -> list[int]:
        """Server processes of the database's connections (local PostgreSQL)."""
        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
        with self.database.admin() as conn:
            return [pid for (pid,) in conn.execute(query, (self.database.name,))]

    def stop(self) -> None:
        """Drop the database and stop Redis."""
        self.database.drop()
        self.redis.kill()
