"""Counting a load's answers: one request at a time through `send`, every answer in a `Tally`.

The infrastructure tests and the chaos benchmark drive mixed traffic from many threads; both
count what came back the same way, and keep the details of every answer they did not expect.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import requests


@dataclass
class Tally:
    """Answers per (operation, status), how long each took, and every unexpected one in detail.

    `expected` gives an operation its one expected status; any other operation is expected to
    get an answer below 500. Unexpected answers are kept as (started, operation, status,
    detail), `started` on the monotonic clock and status None for no HTTP answer at all.
    """

    expected: Mapping[str, int] = field(default_factory=dict)
    answers: Counter = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    unexpected: list[tuple[float, str, int | None, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_expected(self, op: str, status: int | None) -> bool:
        """Whether `status` is what `op` should answer."""
        if op in self.expected:
            return status == self.expected[op]
        return status is not None and status < 500

    def add(self, op: str, status: int | None, started: float, detail: str = "") -> None:
        """Count one answer to a request sent at `started` (monotonic seconds)."""
        elapsed = time.monotonic() - started
        with self.lock:
            self.answers[(op, status)] += 1
            self.seconds.append(elapsed)
            if not self.is_expected(op, status):
                self.unexpected.append((started, op, status, detail[:300]))

    def total(self) -> int:
        """How many requests were answered or failed."""
        with self.lock:
            return sum(self.answers.values())

    def count(self, op: str, status: int | None = None) -> int:
        """How many `op` requests got `status` (by default, the one expected of `op`)."""
        with self.lock:
            return self.answers[(op, self.expected[op] if status is None else status)]

    def by_class(self) -> Counter:
        """Answers per (operation, status class): "2xx" ... "5xx", or "error" for no answer."""
        with self.lock:
            classes: Counter = Counter()
            for (op, status), number in self.answers.items():
                classes[(op, "error" if status is None else f"{status // 100}xx")] += number
            return classes

    def classes(self) -> Counter:
        """Answers per status class, all operations together."""
        totals: Counter = Counter()
        for (_, klass), number in self.by_class().items():
            totals[klass] += number
        return totals


def send(
    http: requests.Session,
    tally: Tally,
    op: str,
    method: str,
    url: str,
    token: str | None = None,
    timeout: tuple[float, float] = (5, 60),
    **kwargs,
) -> requests.Response | None:
    """One request, counted in `tally` as `op`; the response, or None when none came."""
    headers = {**kwargs.pop("headers", {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    try:
        response = http.request(method, url, headers=headers, timeout=timeout, **kwargs)
    except requests.RequestException as error:
        tally.add(op, None, started, f"{type(error).__name__}: {error}")
        return None
    tally.add(op, response.status_code, started, response.text)
    return response
