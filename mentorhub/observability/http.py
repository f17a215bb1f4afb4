"""Per-request hooks: the request id header, HTTP metrics and the rate limiter's decisions.

`mentorhub.middleware` installs them: `start_request` ahead of every other hook, so a refused
request is timed and has its id before any log line about it.
"""

from __future__ import annotations

import logging
import time

from flask import Response, current_app, request

from mentorhub.extensions import limiter
from mentorhub.observability.metrics import MetricSet, app_metrics
from mentorhub.observability.request_id import HEADER, current_request_id
from mentorhub.ratelimit.setup import rate_limit_degraded

logger = logging.getLogger(__name__)
_STARTED = "mentorhub.request_started"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Requests no route matched share one label, so scanners cannot mint new series.
UNMATCHED = "<unmatched>"


def start_request() -> None:
    """Before every other hook: start the request's timer and give it its id."""
    request.environ[_STARTED] = time.perf_counter()
    current_request_id()


def _limiter_state(metrics: MetricSet) -> None:
    # Flask-Limiter lists the limits it evaluated for this request, each marked if breached.
    evaluated = limiter.current_limits
    if evaluated:
        limited = any(limit.breached for limit in evaluated)
        metrics.observe_rate_limit(limited, rate_limit_degraded(current_app))


def finish_request(response: Response) -> Response:
    """After the view: the request id header, and the request's metrics when they are on."""
    response.headers[HEADER] = current_request_id()
    metrics = app_metrics()
    if metrics is None:
        return response
    rule = request.url_rule
    route = rule.rule if rule is not None else UNMATCHED
    method = request.method if request.method in KNOWN_METHODS else "OTHER"
    started = request.environ.get(_STARTED)
    elapsed = time.perf_counter() - started if started is not None else 0.0
    metrics.observe_request(route, method, str(response.status_code), elapsed)
    _limiter_state(metrics)
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s %s %.1f ms",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            elapsed * 1000,
        )
    return response
