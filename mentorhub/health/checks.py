"""The readiness checks: each takes the app and a timeout, and returns extra fields or None.

A check raises when its dependency is down, and returns None when the dependency is not
configured (it is then reported as skipped). None of them is cached here: the probe decides
how often they run.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from flask import Flask
from sqlalchemy import text

from mentorhub.extensions import db
from mentorhub.mail.smtp import close_quietly, open_smtp
from mentorhub.notifications.sweep import queue_status

Check = Callable[[Flask, float], "dict | None"]


class CheckFailed(Exception):
    """The dependency answered, but in a state that counts as down (e.g. no worker alive)."""


def check_database(app: Flask, timeout: float) -> dict:
    """Run `SELECT 1` on a pooled connection of the app's engine."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {}


def check_redis(app: Flask, timeout: float) -> dict | None:
    """PING the configured Redis on a short-lived connection."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_smtp(app: Flask, timeout: float) -> dict | None:
    """Connect exactly as delivery does (SSL or STARTTLS, then login), say NOOP, and QUIT."""
    if not app.config.get("SMTP_HOST") or app.config.get("EMAIL_BACKEND") == "log":
        return None
    settings = dict(app.config)
    settings["SMTP_TIMEOUT"] = min(timeout, app.config.get("SMTP_TIMEOUT") or timeout)
    smtp = open_smtp(settings)
    try:
        code, _ = smtp.noop()
    finally:
        close_quietly(smtp)
    if code != 250:
        raise CheckFailed(f"NOOP answered {code}")
    return {}


def check_queue(app: Flask, timeout: float) -> dict | None:
    """Depth of the notification queue and its scheduled jobs."""
    status = queue_status(app, timeout)
    if status is None:
        return None
    return {"depth": status["depth"], "scheduled": status["scheduled"]}


def check_worker(app: Flask, timeout: float) -> dict | None:
    """Whether a notification worker has recorded its heartbeat recently."""
    status = queue_status(app, timeout)
    if status is None:
        return None
    if not status["worker_seen_recently"]:
        raise CheckFailed("no worker heartbeat")
    return {"seen_seconds_ago": status["worker_seen_seconds_ago"]}


DEFAULT_CHECKS: dict[str, Check] = {
    "database": check_database,
    "redis": check_redis,
    "smtp": check_smtp,
    "queue": check_queue,
    "worker": check_worker,
}
