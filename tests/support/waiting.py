"""Polling until something holds: the one wait loop of the tests and the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 60.0,
    what: str = "condition",
    on_timeout: Callable[[], object] | None = None,
    step: float = 0.1,
) -> T:
    """Poll `predicate` until it returns something truthy, and return that; fail after `timeout` s.

    Timeouts are generous because CI machines are slow. `on_timeout` returns diagnostics (rows,
    a process's log) for the failure message.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            details = f"\n{on_timeout()!r}" if on_timeout else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{details}")
        time.sleep(step)
