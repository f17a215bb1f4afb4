"""Helpers for the notification tests: a recording SMTP server, polling, worker environments."""

from __future__ import annotations

import asyncio
import email
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from mentorhub.models import Notification
from tests.support.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"
# Fast retries and sweeps, so outage tests finish in seconds.
FAST = {
    "NOTIFICATION_RETRY_BASE_SECONDS": 0.5,
    "NOTIFICATION_SWEEP_AGE_SECONDS": 1.0,
    "NOTIFICATION_SWEEP_INTERVAL_SECONDS": 1.0,
    "NOTIFICATION_JOB_TIMEOUT": 20,
    # A killed worker's claim lapses this long after its last renewal.
    "NOTIFICATION_LEASE_SECONDS": 2,
}


def wait_until(
    predicate: Callable[[], object],
    timeout: float = 60.0,
    what: str = "condition",
    on_timeout: Callable[[], object] | None = None,
):
    """Poll `predicate` until it is truthy; fail after `timeout` seconds (generous: CI is slow).

    `on_timeout` returns diagnostics (e.g. rows and a worker's log) for the failure message.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            details = f"\n{on_timeout()!r}" if on_timeout else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{details}")
        time.sleep(0.1)


class MailSink:
    """An aiosmtpd handler that records accepted messages, and the server it runs in."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        # Set `stall_after` to N: the (N+1)th message waits at RCPT until `release` is set.
        self.stall_after: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        # Seconds each message takes to be accepted: keeps workers mid-batch for fault tests.
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.stall_after is not None and len(self.messages) >= self.stall_after:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        """Listen on the port (again)."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening and drop connections: clients now get 'connection refused'."""
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    def count(self) -> int:
        """How many messages were accepted."""
        with self._lock:
            return len(self.messages)

    def wait_for(self, count: int, timeout: float = 60.0) -> list:
        """Wait until at least `count` messages arrived; return them all."""
        wait_until(lambda: self.count() >= count, timeout, f"{count} message(s) at the SMTP server")
        with self._lock:
            return list(self.messages)

    def to(self, address: str) -> list:
        """Messages addressed to `address`."""
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


def worker_environ(smtp: MailSink, **overrides: str) -> dict[str, str]:
    """Environment of a worker process: the same database, Redis and SMTP as the test app."""
    environ = dict(os.environ)
    environ.update(
        FLASK_APP="wsgi:app",
        MENTORHUB_ENV="development",
        DATABASE_URL=TEST_DATABASE_URL,
        REDIS_URL=TEST_REDIS_URL,
        SECRET_KEY=TEST_SECRET,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        LOG_LEVEL="INFO",
        **{key: str(value) for key, value in FAST.items()},
    )
    environ.update(overrides)
    return {key: value for key, value in environ.items() if value is not None}


def statuses(db) -> Counter:
    """How many notifications there are per status."""
    db.session.expire_all()
    rows = db.session.execute(select(Notification.status, func.count()).group_by("status"))
    counts = Counter(dict(rows.all()))
    db.session.commit()
    return counts


def assert_all_sent_exactly_once(db, smtp, emails: list[str], timeout: float = 60) -> float:
    """Wait until every row is `sent` (then nothing can be sent again); return seconds taken."""
    started = time.monotonic()
    wait_until(
        lambda: statuses(db) == Counter({"sent": len(emails)}),
        timeout,
        "every notification sent",
        on_timeout=lambda: (statuses(db), smtp.count()),
    )
    received = Counter(m["To"] for m in smtp.messages)
    assert received == Counter(emails), {k: v for k, v in received.items() if v != 1}
    message_ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(message_ids)) == len(message_ids)
    return time.monotonic() - started
