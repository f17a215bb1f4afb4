"""The chaos run's own servers: a database, a redis-server, an SMTP sink and MentorHub's processes.

Everything here is private to one run: a fresh PostgreSQL database (dropped at the end), a
redis-server on a free port, an aiosmtpd server that counts what it accepts by Message-ID, and
the gunicorn and `flask worker` processes it kills and restarts. The machine's shared Redis and
PostgreSQL server are never stopped.
"""

from __future__ import annotations

import asyncio
import email
import os
import re
import threading
import time
from collections import Counter
from email import policy
from pathlib import Path

import psycopg
import redis
from aiosmtpd.controller import Controller

from tests.support.servers import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("CHAOS_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOTIFICATION_ID = re.compile(r"<notification-(\d+)@")


def wait_for(predicate, timeout: float, what: str, step: float = 0.2):
    """Poll `predicate` until truthy; SystemExit naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


class Database:
    """A PostgreSQL database of this run only, on the shared server."""

    def __init__(self, name: str) -> None:
        self.name = name
        base = ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{name}"

    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the maintenance database."""
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=10)

    def create(self) -> None:
        """Create the (empty) database."""
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        """Drop it, disconnecting whoever is still connected."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def terminate(self, application_names: list[str]) -> int:
        """pg_terminate_backend every connection of these applications; return how many."""
        with self.admin() as conn:
            row = conn.execute(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = ANY(%s)) AS t",
                (self.name, application_names),
            ).fetchone()
        return row[0]

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of one read-only query on the run's database."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            return conn.execute(sql, params).fetchall()


class RedisServer(PrivateRedis):
    """The run's private redis-server, which it kills and restarts on the same port."""

    def worker_count(self) -> int:
        """How many RQ workers are registered (0 if Redis does not answer)."""
        try:
            return redis.Redis(port=self.port, socket_timeout=1).scard("rq:workers")
        except redis.RedisError:
            return 0


class MailCounter:
    """An aiosmtpd server counting accepted messages per Message-ID; stoppable, restartable."""

    def __init__(self, delay: float = 0.0) -> None:
        self.port = free_port()
        self.delay = delay
        self.received: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        """Accept and count the message (after `delay`, so workers spend time mid-batch)."""
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message_id = str(message["Message-ID"])
        with self.lock:
            self.received[message_id] += 1
            self.times.setdefault(message_id, []).append(time.monotonic())
        return "250 Message accepted for delivery"

    def start(self) -> None:
        """Listen on the port (again)."""
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Stop listening and drop open connections: clients get 'connection refused'."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def repeats(self) -> dict[str, list[float]]:
        """When each Message-ID received more than once arrived (monotonic seconds)."""
        with self.lock:
            return {k: list(v) for k, v in self.times.items() if len(v) > 1}

    def by_notification(self) -> tuple[Counter[int], int]:
        """Receipts per notification id, and how many messages carried no such Message-ID."""
        with self.lock:
            received = dict(self.received)
        counts: Counter[int] = Counter()
        strangers = 0
        for message_id, count in received.items():
            match = NOTIFICATION_ID.match(message_id)
            if match:
                counts[int(match.group(1))] += count
            else:
                strangers += count
        return counts, strangers
