"""Pipeline gauges worked out at scrape time from Redis and the database, never stored.

Queue depth, scheduled jobs, the age of the oldest due notification still pending, and seconds
since a worker was last seen. RQ forgets a worker that stops cleanly, so the latest heartbeat
seen is kept in Redis: with every worker gone the gauge keeps growing from that moment.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator

from flask import current_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rq import Worker
from sqlalchemy import func, select

from mentorhub.extensions import db, rq
from mentorhub.models import Notification, utcnow
from mentorhub.models.notification import NotificationStatus

logger = logging.getLogger(__name__)
LAST_SEEN_KEY = "mentorhub:observability:worker-last-seen"
LAST_SEEN_TTL = 30 * 24 * 3600


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


class PipelineCollector(Collector):
    """Reads the notification pipeline's state for one scrape; runs inside the app context."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the queue, worker and pending-age gauges; a failed source yields an error."""
        errors = _gauge(
            "mentorhub_metrics_source_up",
            "1 if the source answered during this scrape, 0 if it failed.",
            ["source"],
        )
        if current_app.config.get("REDIS_URL"):
            try:
                # Built in full before yielding, so a failure yields nothing half-read.
                yield from list(_queue_gauges())
                errors.add_metric(["redis"], 1)
            except Exception as error:  # noqa: BLE001 - a scrape reports, never fails
                logger.warning("metrics: could not read the queue: %s", error)
                errors.add_metric(["redis"], 0)
        try:
            yield _oldest_pending()
            errors.add_metric(["database"], 1)
        except Exception as error:  # noqa: BLE001 - a scrape reports, never fails
            logger.warning("metrics: could not read pending notifications: %s", error)
            errors.add_metric(["database"], 0)
            db.session.rollback()
        yield errors


def _queue_gauges() -> Iterator[GaugeMetricFamily]:
    depth = _gauge("mentorhub_queue_depth", "Jobs waiting in the queue.", ["queue"])
    scheduled = _gauge(
        "mentorhub_queue_scheduled_jobs", "Jobs scheduled for later (retries).", ["queue"]
    )
    connection = None
    for name, queue in rq.queues.items():
        connection = queue.connection
        depth.add_metric([name], queue.count)
        scheduled.add_metric([name], queue.scheduled_job_registry.count)
    yield depth
    yield scheduled
    if connection is not None:
        yield from _worker_gauges(connection)


def _worker_gauges(connection) -> Iterator[GaugeMetricFamily]:
    workers = Worker.all(connection=connection)
    beats = [w.last_heartbeat.timestamp() for w in workers if w.last_heartbeat is not None]
    stored = connection.get(LAST_SEEN_KEY)
    last_seen = max(beats + ([float(stored)] if stored else []), default=None)
    if beats and (stored is None or max(beats) > float(stored)):
        connection.set(LAST_SEEN_KEY, f"{max(beats):.3f}", ex=LAST_SEEN_TTL)
    count = _gauge("mentorhub_workers", "Workers registered with RQ.")
    count.add_metric([], len(workers))
    yield count
    # +Inf when no worker was ever seen: an alert on "more than two minutes" fires at once.
    since = _gauge("mentorhub_worker_last_seen_seconds", "Seconds since a worker's last heartbeat.")
    since.add_metric([], max(0.0, time.time() - last_seen) if last_seen else math.inf)
    yield since


def _oldest_pending() -> GaugeMetricFamily:
    now = utcnow()
    table = Notification.__table__
    oldest = db.session.scalar(
        select(func.min(table.c.queued_at)).where(
            table.c.status == NotificationStatus.PENDING, table.c.queued_at <= now
        )
    )
    gauge = _gauge(
        "mentorhub_notifications_oldest_pending_seconds",
        "Age of the oldest notification that is due and still pending (0 when none).",
    )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    gauge.add_metric([], (now - oldest).total_seconds() if oldest is not None else 0.0)
    return gauge
