"""Observability: Prometheus metrics, request ids and structured logs.

`init_observability(app)` sets up metrics and /metrics per app; `start_request` and
`finish_request` are request hooks, which `mentorhub.middleware` installs in their place. The
rest is the API other features call, each a one-line no-op when metrics are off.
"""

from __future__ import annotations

from flask import Flask

from mentorhub.observability.http import finish_request, start_request
from mentorhub.observability.logs import configure_logging
from mentorhub.observability.metrics import init_metrics
from mentorhub.observability.recording import (
    record_cache_event,
    record_delivery,
    record_job,
    record_notification_created,
    record_smtp_connection,
    set_cache_fallback,
)
from mentorhub.observability.request_id import current_request_id, job_meta
from mentorhub.observability.scrape import init_scrape_endpoint
from mentorhub.observability.worker import observe_worker

__all__ = [
    "configure_logging",
    "current_request_id",
    "finish_request",
    "init_observability",
    "job_meta",
    "record_cache_event",
    "record_delivery",
    "record_job",
    "record_notification_created",
    "record_smtp_connection",
    "set_cache_fallback",
    "start_request",
    "observe_worker",
]


def init_observability(app: Flask) -> None:
    """Metrics and /metrics, unless METRICS_ENABLED is off."""
    if app.config.get("METRICS_ENABLED", True):
        init_metrics(app)
        init_scrape_endpoint(app)
