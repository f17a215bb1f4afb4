"""Observability: Prometheus metrics, request ids and structured logs.

`init_observability(app)` sets up metrics and /metrics per app; `start_request` and
`finish_request` are request hooks, which `mentorhub.middleware` installs in their place. The
rest is the API other features call, each a one-line no-op when metrics are off.
"""

from __future__ import annotations

import logging

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
from mentorhub.observability.scrape import init_scrape_endpoint, scrape_endpoint_allowed
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
logger = logging.getLogger(__name__)


def init_observability(app: Flask) -> None:
    """Metrics unless METRICS_ENABLED is off, and /metrics where it may be served."""
    if app.config.get("METRICS_ENABLED", True):
        init_metrics(app)
        if scrape_endpoint_allowed(app.config):
            init_scrape_endpoint(app)
        else:
            logger.info("/metrics is not served: production needs METRICS_TOKEN to scrape it")
