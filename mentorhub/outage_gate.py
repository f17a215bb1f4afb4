"""When to try a dependency again while it is down: one caller per interval, the rest skip it."""

from __future__ import annotations

import threading
import time


class OutageGate:
    """Tracks one dependency's outage for a process; callers log on the transitions it reports."""

    def __init__(self, recheck_seconds: float = 1.0) -> None:
        self.recheck_seconds = recheck_seconds
        self.down_since: float | None = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        """Whether the dependency is currently taken to be unreachable."""
        return self.down_since is not None

    def should_try(self) -> bool:
        """Up: always. Down: true for one caller per interval, so only it waits on a timeout."""
        if self.down_since is None:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._next_try:
                return False
            self._next_try = now + self.recheck_seconds
            return True

    def mark_down(self) -> bool:
        """Record a failure; true when it starts a new outage (log it once)."""
        with self._lock:
            now = time.monotonic()
            self._next_try = now + self.recheck_seconds
            if self.down_since is not None:
                return False
            self.down_since = now
            return True

    def mark_up(self) -> float | None:
        """Record a success; the outage's length in seconds when one just ended, else None."""
        if self.down_since is None:
            return None
        with self._lock:
            if self.down_since is None:
                return None
            outage, self.down_since = time.monotonic() - self.down_since, None
            return outage
