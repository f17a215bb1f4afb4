"""One-line recording calls for the cache, the notification pipeline and the mail connection.

Each is a no-op outside an app context or when metrics are off, so callers never guard them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rq.job import Job, JobStatus

from mentorhub.observability.metrics import app_metrics

logger = logging.getLogger(__name__)
CACHE_EVENTS = ("hit", "miss", "stale", "recompute")
DELIVERY_OUTCOMES = ("sent", "retried", "failed")


def cache_name(key: str) -> str:
    """A key's cache name: its `:`-separated parts up to the first id (`stats:user:7` ->
    `stats:user`), so one cache is one series however many entries it holds."""
    parts = []
    for part in key.split(":")[:3]:
        if not part or part.isdigit():
            break
        parts.append(part)
    return ":".join(parts)[:64] or "other"


def record_cache_event(key: str, event: str) -> None:
    """Count a cache hit, miss, stale serve or recompute, under the key's cache name."""
    metrics = app_metrics()
    if metrics is not None:
        metrics.observe_cache(cache_name(key), event)


def set_cache_fallback(active: bool) -> None:
    """Say whether the cache now serves from process memory instead of Redis."""
    metrics = app_metrics()
    if metrics is not None:
        metrics.cache_fallback.set(1 if active else 0)


def record_notification_created(notification_type: str, channel: str) -> None:
    """Count a notification row created."""
    metrics = app_metrics()
    if metrics is not None:
        metrics.notifications_created.labels(notification_type, channel).inc()


def record_delivery(
    outcome: str,
    notification_type: str,
    channel: str = "email",
    created_at: datetime | None = None,
    notification_id: int | None = None,
) -> None:
    """Count and log one delivery outcome (sent, retried or failed); time sent ones.

    `created_at` is when the notification became due: its creation, or a reminder's scheduled
    time, so a reminder planned a day ahead does not count as a day's delay."""
    # The log line is what ties a delivery to the request that caused it (its request id).
    logger.info("notification %s %s (%s, %s)", notification_id, outcome, notification_type, channel)
    metrics = app_metrics()
    if metrics is None:
        return
    if outcome == "sent":
        metrics.notifications_sent.labels(notification_type, channel).inc()
        if created_at is not None:
            if created_at.tzinfo is None:
                created_at = created_at.replace(tzinfo=UTC)
            waited = (datetime.now(UTC) - created_at).total_seconds()
            metrics.delivery_latency.labels(notification_type, channel).observe(max(0.0, waited))
    elif outcome == "retried":
        metrics.notifications_retried.labels(notification_type, channel).inc()
    elif outcome == "failed":
        metrics.notifications_failed.labels(notification_type, channel).inc()


def record_job(job: Job) -> None:
    """Count a job the worker just ran, by the outcome RQ gave it."""
    metrics = app_metrics()
    if metrics is None:
        return
    # The status RQ set in memory as it finished the job: no Redis round trip.
    status = job.get_status(refresh=False)
    outcome = status.value if status in (JobStatus.FINISHED, JobStatus.FAILED) else "other"
    metrics.worker_jobs.labels(outcome).inc()


def record_smtp_connection(reused: bool) -> None:
    """Count a send on a kept SMTP connection (reused) or on a new one (opened)."""
    metrics = app_metrics()
    if metrics is not None:
        metrics.smtp_connections.labels("reused" if reused else "opened").inc()
