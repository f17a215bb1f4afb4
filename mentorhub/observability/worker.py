"""A worker process's observability: its own metrics port, and RQ's lines in our log format.

Workers are not web processes, so gunicorn's merged /metrics cannot see them: each worker serves
its jobs, notification outcomes, delivery latency and SMTP connection use itself, on
WORKER_METRICS_PORT.
"""

from __future__ import annotations

import logging

from flask import Flask
from prometheus_client import start_http_server

from mentorhub.observability.logs import share_handler
from mentorhub.observability.metrics import EXTENSION_KEY

logger = logging.getLogger(__name__)


def observe_worker(app: Flask) -> int | None:
    """Log RQ's lines like ours; serve metrics on WORKER_METRICS_PORT (0: off); return the port."""
    # The worker is a process entry point: RQ's logger is ours to format here.
    share_handler("rq")
    port = app.config.get("WORKER_METRICS_PORT") or 0
    metric_set = app.extensions.get(EXTENSION_KEY)
    if not port or metric_set is None:
        return None
    address = app.config.get("WORKER_METRICS_ADDR") or "127.0.0.1"
    try:
        start_http_server(port, addr=address, registry=metric_set.registry)
    except OSError as error:
        # Metrics are not worth refusing to deliver mail over: say so, and work on.
        logger.warning("worker metrics: cannot listen on %s:%s: %s", address, port, error)
        return None
    logger.info("worker metrics on http://%s:%s/metrics", address, port)
    return port
