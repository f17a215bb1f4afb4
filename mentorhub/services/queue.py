"""RQ settings derived from REDIS_URL; without Redis, jobs run in-process after commit."""

from __future__ import annotations

from flask import Flask, current_app


def init_queue_settings(app: Flask) -> None:
    """Point flask-rq at REDIS_URL, or mark the app as running jobs inline."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RQ_QUEUES", ["notifications", "default"])
    app.config.setdefault("RQ_CONNECTION", redis_url or "redis://127.0.0.1:6379/0")
    # flask-rq would make queues synchronous under TESTING; we want the real pipeline in tests.
    app.config.setdefault("RQ_ASYNC", True)


def queue_enabled() -> bool:
    """Whether jobs go through Redis (True) or run in-process (the embedded default)."""
    return bool(current_app.config.get("REDIS_URL"))
