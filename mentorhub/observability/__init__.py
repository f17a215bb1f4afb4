"""Observability: Prometheus metrics, request ids and structured logs.

`init_observability(app)` wires it per app; the rest is the API other features call, each a
one-line no-op when metrics are off.
"""

from __future__ import annotations

from flask import Flask

from mentorhub.observability.http import init_request_hooks
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
    "init_observability",
    "job_meta",
    "record_cache_event",
    "record_delivery",
    "record_job",
    "record_notification_created",
    "record_smtp_connection",
    "set_cache_fallback",
    "observe_worker",
]


def init_observability(app: Flask) -> None:
    """Request ids on every response; metrics and /metrics unless METRICS_ENABLED is off."""
    metrics = init_metrics(app) if app.config.get("METRICS_ENABLED", True) else None
    init_request_hooks(app, metrics)
    if metrics is not None:
        init_scrape_endpoint(app)
