"""The last line of the error envelope: failures Flask's error handlers never see.

An exception raised after the response was built (a teardown whose rollback fails on a killed
database connection, say) escapes Flask, and the server would answer with its own HTML page.
This middleware holds the status line until the app has returned, so it can still answer with
the JSON envelope instead, and it drops `Retry-After` from every answer but 409, 429 and 503,
whoever added it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from mentorhub.errors import GENERIC_500_MESSAGE, RETRY_AFTER_STATUSES

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class EnvelopeMiddleware:
    """Wrap a WSGI app so nothing it raises reaches the server, and Retry-After stays honest."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Run the app with a deferred start_response; answer 500 JSON if it raises."""
        held: list[tuple[str, list, Any]] = []

        def deferred(status: str, headers: list, exc_info: Any = None) -> Callable:
            held[:] = [(status, headers, exc_info)]
            return _no_write

        try:
            body = self.app(environ, deferred)
        except Exception:
            logger.exception(
                "unhandled error outside the app on %s %s",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
            )
            return _internal_error(start_response)
        if not held:
            return body
        status, headers, exc_info = held[0]
        if int(status.split(" ", 1)[0]) not in RETRY_AFTER_STATUSES:
            headers = [(k, v) for k, v in headers if k.lower() != "retry-after"]
        start_response(status, headers, exc_info)
        return body


def _no_write(data: bytes) -> None:
    # Flask returns its body as an iterable and never uses the legacy write() callable.
    raise RuntimeError("write() is not supported behind EnvelopeMiddleware")


def _internal_error(start_response: Callable) -> list[bytes]:
    payload = json.dumps({"status_code": 500, "message": GENERIC_500_MESSAGE}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    start_response("500 INTERNAL SERVER ERROR", headers)
    return [payload]
