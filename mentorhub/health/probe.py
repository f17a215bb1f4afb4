"""The readiness probe of one app: checks run concurrently, at most once per interval.

Load balancers, orchestrators and anyone on the internet may call /ready as often as they
like. Every caller within HEALTH_CACHE_SECONDS of the last run gets that run's answer, and
callers arriving while a run is in progress wait for it instead of starting their own, so a
burst of calls opens no more connections to Redis or the mail server than a single call.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask

from mentorhub.health.checks import Check, CheckFailed

logger = logging.getLogger(__name__)

# Without the database this instance cannot answer a single API call; everything else only
# degrades a feature (the rate limiter and cache fall back to memory, mail waits in the outbox).
CRITICAL_CHECKS = frozenset({"database"})


@dataclass(frozen=True)
class Report:
    """One run of every check."""

    checks: dict[str, dict]
    checked_at: datetime
    finished: float = field(compare=False)

    @property
    def status(self) -> str:
        """`ready`, `degraded` (something optional is down) or `not_ready`."""
        down = {name for name, result in self.checks.items() if result["status"] == "down"}
        if down & CRITICAL_CHECKS:
            return "not_ready"
        return "degraded" if down else "ready"


class ReadinessProbe:
    """Runs an app's checks with a deadline, and shares each result for `max_age` seconds."""

    def __init__(
        self, app: Flask, checks: dict[str, Check], timeout: float, max_age: float
    ) -> None:
        self.app = app
        self.checks = dict(checks)
        self.timeout = timeout
        self.max_age = max_age
        # A hanging dependency ties up a pool thread until its own socket timeout, not a request.
        self._pool = ThreadPoolExecutor(max_workers=2 * len(self.checks) or 1)
        self._lock = threading.Lock()
        self._last: Report | None = None

    def report(self) -> Report:
        """The latest report if it is fresh enough, otherwise a new one (one run at a time)."""
        last = self._last
        if last is not None and time.monotonic() - last.finished < self.max_age:
            return last
        with self._lock:
            last = self._last
            if last is not None and time.monotonic() - last.finished < self.max_age:
                return last
            self._last = self._run()
            return self._last

    def _run(self) -> Report:
        futures = {
            name: self._pool.submit(_timed, name, check, self.app, self.timeout)
            for name, check in self.checks.items()
        }
        deadline = time.monotonic() + self.timeout
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                results[name] = {"status": "down", "error": "timeout"}
        return Report(results, datetime.now(UTC), time.monotonic())


def _timed(name: str, check: Check, app: Flask, timeout: float) -> dict:
    started = time.perf_counter()
    try:
        extra = check(app, timeout)
    except CheckFailed as failure:
        return {"status": "down", "error": str(failure), "latency_ms": _ms(started)}
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported not raised
        logger.warning("readiness check %s failed: %s", name, error)
        return {"status": "down", "error": type(error).__name__, "latency_ms": _ms(started)}
    if extra is None:
        return {"status": "skipped"}
    return {"status": "up", "latency_ms": _ms(started), **extra}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
