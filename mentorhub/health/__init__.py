"""Liveness and readiness: which dependencies this instance can reach, checked sparingly.

`init_health(app)` gives the app its own probe; `readiness_report()` returns the current
report for the app in context.
"""

from __future__ import annotations

from flask import Flask, current_app

from mentorhub.health.checks import DEFAULT_CHECKS, Check, CheckFailed
from mentorhub.health.probe import CRITICAL_CHECKS, ReadinessProbe, Report

EXTENSION_KEY = "mentorhub.health"

__all__ = [
    "CRITICAL_CHECKS",
    "Check",
    "CheckFailed",
    "ReadinessProbe",
    "Report",
    "init_health",
    "readiness_probe",
    "readiness_report",
]


def init_health(app: Flask, extra_checks: dict[str, Check] | None = None) -> None:
    """Give `app` a readiness probe over the default checks plus `extra_checks`."""
    checks = {**DEFAULT_CHECKS, **(extra_checks or {})}
    app.extensions[EXTENSION_KEY] = ReadinessProbe(
        app,
        checks,
        timeout=app.config["HEALTH_CHECK_TIMEOUT"],
        max_age=app.config["HEALTH_CACHE_SECONDS"],
    )


def readiness_probe(app: Flask | None = None) -> ReadinessProbe:
    """The probe of `app` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def readiness_report() -> Report:
    """The current app's readiness, at most HEALTH_CACHE_SECONDS old."""
    return readiness_probe().report()
