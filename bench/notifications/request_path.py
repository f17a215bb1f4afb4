"""What a notification adds to a request: `send_notification`, then its commit and enqueue."""

from __future__ import annotations

import time

from flask import Flask

from bench.common.figures import percentile


def request_path(app: Flask, samples: int = 500) -> dict:
    """p50/p99 of send_notification and of it plus commit; 1,000 reminders in one commit."""
    from mentorhub.extensions import db
    from mentorhub.models import User
    from mentorhub.services.notifications import notification_service

    with app.app_context():
        user = User(email="bench@example.com", name="Bench", password_hash="x")
        db.session.add(user)
        db.session.commit()
        call, total = [], []
        for _ in range(samples):
            started = time.perf_counter()
            notification_service.send_notification(user.email, "welcome", {"name": "Bench"})
            called = time.perf_counter()
            db.session.commit()
            done = time.perf_counter()
            call.append((called - started) * 1000)
            total.append((done - started) * 1000)
        reminders = time.perf_counter()
        reminder = {
            "topic": "Bench",
            "scheduled_time": "2030-01-01T10:00:00+00:00",
            "meeting_link": "https://meet.example/x",
        }
        for _ in range(1000):
            notification_service.notify_user(user, "session_reminder", reminder)
        db.session.commit()
        batch_ms = (time.perf_counter() - reminders) * 1000
    return {
        "call_p50": percentile(call, 50),
        "call_p99": percentile(call, 99),
        "total_p50": percentile(total, 50),
        "total_p99": percentile(total, 99),
        "batch_1000_ms": batch_ms,
    }


def report(path: dict) -> str:
    """The request path's lines of the report."""
    return "\n".join(
        [
            f"send_notification call:        p50 {path['call_p50']:.2f} ms  "
            f"p99 {path['call_p99']:.2f} ms",
            f"  + commit and enqueue:        p50 {path['total_p50']:.2f} ms  "
            f"p99 {path['total_p99']:.2f} ms",
            f"1,000 reminders, one commit:   {path['batch_1000_ms']:.0f} ms (one pipeline)",
        ]
    )
