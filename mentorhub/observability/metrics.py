"""The app's Prometheus metrics: one set per app, on a registry of its own.

Under gunicorn (PROMETHEUS_MULTIPROC_DIR set before the workers start) prometheus_client keeps
every value in per-process files and `/metrics` merges them at scrape time; otherwise the values
live in this process and the app's own registry serves them.
"""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

EXTENSION_KEY = "mentorhub.metrics"
# From a cached answer to a slow, uncached one on a loaded machine.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# From an immediate send to a retry that waited an hour.
DELIVERY_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0)


class MetricSet:
    """Every metric the app and its workers record."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.http_requests = Counter(
            "mentorhub_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.http_latency = Histogram(
            "mentorhub_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["route", "method"],
            buckets=HTTP_BUCKETS,
            registry=registry,
        )
        self.ratelimit_decisions = Counter(
            "mentorhub_ratelimit_decisions",
            "Requests the rate limiter checked, by decision (allowed or limited).",
            ["decision"],
            registry=registry,
        )
        # livemax: 1 while any live process counts on its in-memory fallback.
        self.ratelimit_fallback = Gauge(
            "mentorhub_ratelimit_fallback_active",
            "1 while the rate limiter runs on its in-memory fallback instead of Redis.",
            multiprocess_mode="livemax",
            registry=registry,
        )
        self.cache_events = Counter(
            "mentorhub_cache_events",
            "Cache lookups and fills by cache name and event (hit, miss, stale, recompute).",
            ["cache", "event"],
            registry=registry,
        )
        self.cache_fallback = Gauge(
            "mentorhub_cache_fallback_active",
            "1 while the cache serves from process memory because Redis is unreachable.",
            multiprocess_mode="livemax",
            registry=registry,
        )
        labels = ["type", "channel"]
        self.notifications_created = self._notification_counter("created", labels)
        self.notifications_sent = self._notification_counter("sent", labels)
        self.notifications_retried = self._notification_counter("retried", labels)
        self.notifications_failed = self._notification_counter("failed", labels)
        self.delivery_latency = Histogram(
            "mentorhub_notification_delivery_seconds",
            "Time from a notification being due (created, or scheduled) to its mail being sent.",
            labels,
            buckets=DELIVERY_BUCKETS,
            registry=registry,
        )
        self.worker_jobs = Counter(
            "mentorhub_worker_jobs",
            "Jobs this worker process ran, by outcome (finished, failed, other).",
            ["outcome"],
            registry=registry,
        )
        self.smtp_connections = Counter(
            "mentorhub_smtp_connections",
            "SMTP sends by connection use: opened (a new connection) or reused (a kept one).",
            ["use"],
            registry=registry,
        )

        # Label lookups validate and lock on every call; the children are cached here instead.
        # The label values are bounded: route templates, methods, statuses.
        self._request_children: dict[tuple[str, str, str], tuple] = {}
        self._decision_children = {
            "allowed": self.ratelimit_decisions.labels("allowed"),
            "limited": self.ratelimit_decisions.labels("limited"),
        }
        self._fallback_now: int | None = None
        self._cache_children: dict[tuple[str, str], object] = {}

    def observe_request(self, route: str, method: str, status: str, seconds: float) -> None:
        """Count one answered request and its latency."""
        key = (route, method, status)
        children = self._request_children.get(key)
        if children is None:
            children = self._request_children[key] = (
                self.http_requests.labels(route, method, status),
                self.http_latency.labels(route, method),
            )
        children[0].inc()
        children[1].observe(seconds)

    def observe_cache(self, name: str, event: str) -> None:
        """Count one cache event under a cache name."""
        child = self._cache_children.get((name, event))
        if child is None:
            child = self.cache_events.labels(name, event)
            # Cache names are few; the bound only guards against a caller passing raw keys.
            if len(self._cache_children) < 1000:
                self._cache_children[(name, event)] = child
        child.inc()

    def observe_rate_limit(self, limited: bool, on_fallback: bool) -> None:
        """Count one rate-limit decision and note whether the limiter is on its fallback."""
        self._decision_children["limited" if limited else "allowed"].inc()
        state = 1 if on_fallback else 0
        # Written on change only: each write goes to the shared file under gunicorn.
        if state != self._fallback_now:
            self.ratelimit_fallback.set(state)
            self._fallback_now = state

    def _notification_counter(self, outcome: str, labels: list[str]) -> Counter:
        return Counter(
            f"mentorhub_notifications_{outcome}",
            f"Notifications {outcome}, by type and channel.",
            labels,
            registry=self.registry,
        )


def init_metrics(app: Flask) -> MetricSet:
    """Give the app its metric set (and registry)."""
    metric_set = MetricSet(CollectorRegistry(auto_describe=True))
    app.extensions[EXTENSION_KEY] = metric_set
    return metric_set


def app_metrics() -> MetricSet | None:
    """The current app's metrics, or None outside an app or with metrics off."""
    if not has_app_context():
        return None
    return current_app.extensions.get(EXTENSION_KEY)
