"""`GET /metrics`: Prometheus text, merged across gunicorn's processes, never rate limited.

In production it is served only with METRICS_TOKEN set, and then answers only a scraper that
sends `Authorization: Bearer <token>`; elsewhere the token is optional.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py does it before forking) each scrape builds a
fresh registry whose MultiProcessCollector reads every worker process's files; without it the
app's own registry answers. The pipeline gauges are read from Redis and the database per scrape.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from mentorhub.errors import Unauthorized
from mentorhub.extensions import limiter
from mentorhub.observability.metrics import EXTENSION_KEY, MetricSet
from mentorhub.observability.pipeline import PipelineCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
blueprint = Blueprint("metrics", __name__)


class RegistryCollector(Collector):
    """Serves another registry's metrics from a per-scrape registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator:
        """Everything the source registry holds."""
        return self.source.collect()


def multiprocess_dir() -> str | None:
    """The directory prometheus_client shares between processes, when one is configured."""
    return os.environ.get(MULTIPROC_ENV) or None


def scrape_endpoint_allowed(config) -> bool:
    """Whether to serve /metrics: in production only behind METRICS_TOKEN.

    A production /metrics would otherwise be public wherever the API is (each scrape runs SQL
    and Redis reads); elsewhere it stays open for a local Prometheus, the token optional.
    """
    return bool(config.get("METRICS_TOKEN")) or config.get("ENV_NAME") != "production"


def _check_token() -> None:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.encode(), token.encode()):
        raise Unauthorized("A valid metrics token is required.")


@blueprint.get("/metrics")
def metrics() -> Response:
    """The app's metrics in Prometheus text format."""
    _check_token()
    registry = CollectorRegistry()
    directory = multiprocess_dir()
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        metric_set: MetricSet = current_app.extensions[EXTENSION_KEY]
        registry.register(RegistryCollector(metric_set.registry))
    registry.register(PipelineCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_scrape_endpoint(app: Flask) -> None:
    """Mount /metrics, outside the API's rate limit."""
    app.register_blueprint(blueprint)
    limiter.exempt(blueprint)
