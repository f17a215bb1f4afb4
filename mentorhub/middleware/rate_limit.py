"""`RateLimitMiddleware`: every client gets `max_requests` per `time_window` seconds, on any route.

Flask has no `add_middleware`; the Flask way is an extension object given the app:

    RateLimitMiddleware(app, max_requests=100, time_window=60, exclude_paths=["/health", "/docs"])

`create_app` does exactly that from RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW and
RATE_LIMIT_EXCLUDE_PATHS. The limiting itself is Flask-Limiter's, on a token bucket per client
address (`mentorhub.ratelimit`): a client may burst up to `max_requests`, and the bucket refills
continuously over `time_window`. Responses carry X-RateLimit-Limit, -Remaining and -Reset; a
refused request is a 429 in the error envelope with Retry-After. Paths in `exclude_paths`, and
everything below them, are never limited. Applied again to the same app, it replaces the limit
and the excluded paths from the next request on; under a new limit every client starts with a
full bucket. RATE_LIMIT_ENABLED=false leaves every request unlimited, whatever it is given.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from mentorhub.extensions import limiter
from mentorhub.ratelimit.setup import (
    init_rate_limiting,
    rate_limiting_initialised,
    set_client_limit,
)


class RateLimitMiddleware:
    """The per-client rate limit of an app, as `max_requests` per `time_window` seconds."""

    def __init__(
        self,
        app: Flask | None = None,
        *,
        max_requests: int = 100,
        time_window: int = 60,
        exclude_paths: Iterable[str] = (),
    ) -> None:
        self.max_requests = _positive(max_requests, "max_requests")
        self.time_window = _positive(time_window, "time_window")
        if isinstance(exclude_paths, str):
            raise TypeError("exclude_paths must be a list of paths, not one string")
        self.exclude_paths = list(exclude_paths)
        bad = [path for path in self.exclude_paths if not str(path).startswith("/")]
        if bad:
            raise ValueError(f"exclude_paths must start with '/', got {bad!r}")
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Limit `app` this way; if it was already limited, replace that limit."""
        app.config.update(
            RATE_LIMIT_REQUESTS=self.max_requests,
            RATE_LIMIT_WINDOW=self.time_window,
            RATE_LIMIT_EXCLUDE_PATHS=self.exclude_paths,
        )
        if rate_limiting_initialised(app):
            set_client_limit(app)
        else:
            init_rate_limiting(app, limiter)


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return value
