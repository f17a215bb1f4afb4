"""Periodic work of every worker: the notification sweep, and retention once an interval."""

from __future__ import annotations

import logging
import time

import redis
from flask import current_app

from mentorhub.extensions import db
from mentorhub.notifications.sweep import worker_tick

logger = logging.getLogger(__name__)
RETENTION_LOCK_KEY = "mentorhub:retention:lock"


def run_maintenance(connection: redis.Redis, interval: float, sweep: bool = True) -> None:
    """Sweep notifications (one worker per interval), then prune old rows if it is time."""
    try:
        if sweep:
            worker_tick(interval)
        run_retention_if_due(connection)
    except redis.RedisError:
        raise
    except Exception:  # noqa: BLE001 - a database hiccup must not stop the worker
        logger.exception("worker maintenance failed")
    finally:
        db.session.remove()


def run_retention_if_due(connection: redis.Redis) -> dict[str, int] | None:
    """Run the retention pass if no worker ran it this RETENTION_INTERVAL_SECONDS."""
    try:
        from mentorhub.retention import run_retention_pass
    except ImportError:
        return None  # a deployment without retention
    interval = int(current_app.config.get("RETENTION_INTERVAL_SECONDS", 3600))
    # The lock outlives the pass: it is what spaces passes an interval apart, across workers.
    if not connection.set(RETENTION_LOCK_KEY, f"{time.time():.0f}", nx=True, ex=max(1, interval)):
        return None
    pruned = run_retention_pass()
    logger.info("retention pass pruned %s", pruned)
    return pruned
