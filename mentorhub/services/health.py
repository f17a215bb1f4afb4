"""Readiness checks: database, Redis and SMTP, each bounded by its own timeout."""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import redis
from flask import Flask, current_app
from sqlalchemy import text

from mentorhub.extensions import db

logger = logging.getLogger(__name__)
# Checks run on a shared pool, so a hanging dependency costs a thread, not a request.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ready-check")
_extra_checks: dict[str, Callable[[Flask, float], dict | None]] = {}


def register_check(name: str, check: Callable[[Flask, float], dict | None]) -> None:
    """Add a readiness check; it returns extra fields, or None when unconfigured."""
    _extra_checks[name] = check


def check_database(app: Flask, timeout: float) -> dict:
    """Run `SELECT 1` on the app's database."""
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        finally:
            db.session.remove()
    return {}


def check_redis(app: Flask, timeout: float) -> dict | None:
    """PING the configured Redis."""
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
    """Open an SMTP connection and say NOOP."""
    host = app.config.get("SMTP_HOST")
    if not host:
        return None
    with smtplib.SMTP(host, app.config["SMTP_PORT"], timeout=timeout) as smtp:
        smtp.noop()
    return {}


def _timed(check: Callable, app: Flask, timeout: float) -> dict:
    started = time.perf_counter()
    try:
        extra = check(app, timeout)
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported not raised
        logger.warning("readiness check %s failed: %s", check.__name__, error)
        return {"status": "down", "error": type(error).__name__, "latency_ms": _ms(started)}
    if extra is None:
        return {"status": "skipped"}
    return {"status": "up", "latency_ms": _ms(started), **extra}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def readiness() -> tuple[bool, dict]:
    """Run every check concurrently; a check slower than its timeout is reported as down."""
    app = current_app._get_current_object()
    timeout = app.config["HEALTH_CHECK_TIMEOUT"]
    checks = {"database": check_database, "redis": check_redis, "smtp": check_smtp}
    checks.update(_extra_checks)
    futures = {
        name: _executor.submit(_timed, check, app, timeout) for name, check in checks.items()
    }
    deadline = time.monotonic() + timeout
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            results[name] = {"status": "down", "error": "timeout", "latency_ms": timeout * 1000}
    ready = all(result["status"] in ("up", "skipped") for result in results.values())
    return ready, results
