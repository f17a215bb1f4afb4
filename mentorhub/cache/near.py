"""A per-process copy of hot cache entries, each kept for a second or so.

It saves the Redis round trip on entries every request reads (the public platform totals).
Nothing is broadcast: a copy simply lapses after `seconds`, which bounds how stale another
process can be after a change, however that change was made.
"""

from __future__ import annotations

import time
from typing import Any


class NearCache:
    """Values with a short, fixed lifetime in this process; safe across threads."""

    MISSING = object()
    # Bounded, so an unexpected variety of keys cannot grow a process without limit.
    MAX_ENTRIES = 1024

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        # key -> (monotonic expiry, value); replaced whole, so readers never see half an entry.
        self.entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any:
        """The value while it is fresh, else `MISSING`."""
        entry = self.entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return self.MISSING
        return entry[1]

    def put(self, key: str, value: Any) -> None:
        """Keep `value` for `seconds` (not at all when `seconds` is 0)."""
        if self.seconds <= 0:
            return
        if len(self.entries) >= self.MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (time.monotonic() + self.seconds, value)

    def drop(self, key: str) -> None:
        """Forget this process's copy."""
        self.entries.pop(key, None)

    def clear(self) -> None:
        """Forget every copy in this process."""
        self.entries.clear()
