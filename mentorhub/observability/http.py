"""Per-request hooks: the request id header, HTTP metrics and the rate limiter's decisions."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, request

from mentorhub.extensions import limiter
from mentorhub.observability.metrics import MetricSet
from mentorhub.observability.request_id import HEADER, current_request_id
from mentorhub.ratelimit.setup import rate_limit_degraded

logger = logging.getLogger(__name__)
_STARTED = "mentorhub.request_started"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Requests no route matched share one label, so scanners cannot mint new series.
UNMATCHED = "<unmatched>"


def _start_request() -> None:
    request.environ[_STARTED] = time.perf_counter()
    current_request_id()


def _limiter_state(metrics: MetricSet) -> None:
    # Flask-Limiter lists the limits it evaluated for this request, each marked if breached.
    evaluated = limiter.current_limits
    if evaluated:
        limited = any(limit.breached for limit in evaluated)
        metrics.observe_rate_limit(limited, rate_limit_degraded(current_app))


def _finish_request(metrics: MetricSet | None, response: Response) -> Response:
    response.headers[HEADER] = current_request_id()
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


def init_request_hooks(app: Flask, metrics: MetricSet | None) -> None:
    """Time every request from before the first hook, and finish it with ids and metrics."""
    # First in line, ahead of the rate limiter's own hook, so a refused request is timed and
    # has its id before any log line about it.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(lambda response: _finish_request(metrics, response))
