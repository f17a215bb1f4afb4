"""Requests released together from threads of their own, to race the API against itself."""

from __future__ import annotations

import threading
from collections.abc import Callable


def race(app, requests: list[Callable]) -> list[tuple[int, object]]:
    """Send each request (a function of a test client) from its own thread, all released at once.

    Returns (status, JSON body) of each, in order. An exception, which the testing app raises
    where production would answer 500, counts as a 500.
    """
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int, request: Callable) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            response = request(client)
        except Exception as error:  # noqa: BLE001 - reported as the 500 it would be
            results[index] = (500, {"error": repr(error)})
            return
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def concurrently(app, requests: list[Callable]) -> list[int]:
    """The statuses of `race`, sorted."""
    return sorted(status for status, _ in race(app, requests))
