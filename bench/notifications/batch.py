"""Batch delivery: rows committed at once, delivered by `flask worker`s, against smtplib loops.

The workers, the SMTP server, PostgreSQL and Redis each show their CPU time per mail (from
/proc), beside how busy the whole machine was, other processes included.
"""

from __future__ import annotations

import os
import smtplib
import time

from flask import Flask

from bench.common.cpu import cpu_snapshot
from bench.notifications.services import Services
from bench.notifications.workers import start_workers, stop_workers
from tests.support.rows import insert_users


def queue_rows(app: Flask, count: int) -> list[int]:
    """Insert `count` pending welcome notifications for `count` users (bulk, not timed)."""
    from sqlalchemy import insert, select

    from mentorhub.extensions import db
    from mentorhub.models import Notification, User, utcnow

    with app.app_context():
        insert_users([f"u{n}@example.com" for n in range(count)])
        users = db.session.scalars(select(User.id).where(User.email.like("u%@example.com")))
        now = utcnow()
        row = {"type": "welcome", "channel": "email", "data": {"name": "User"}}
        row.update(status="pending", attempts=0, queued_at=now, created_at=now, updated_at=now)
        db.session.execute(insert(Notification), [{"user_id": uid, **row} for uid in users])
        db.session.commit()
        pending = select(Notification.id).where(
            Notification.status == "pending", Notification.type == "welcome"
        )
        return list(db.session.scalars(pending))


def deliver(
    services: Services, app: Flask, total, workers: int, count: int, pids: dict
) -> tuple[float, dict]:
    """Start workers, enqueue `count` rows; mails/s until the server has them all, and CPU."""
    from mentorhub.notifications.job_queue import enqueue

    ids = queue_rows(app, count)
    # Measure the queue, not the safety net.
    env = services.environ(NOTIFICATION_SWEEP_AGE_SECONDS="600")
    procs = start_workers(app, env, workers)
    try:
        groups = {"workers": [p.pid for p in procs], **pids, "postgres": services.postgres_pids()}
        before = cpu_snapshot(groups)
        start_count = total.value
        started = time.perf_counter()
        with app.app_context():
            enqueue({None: ids})
        deadline = time.monotonic() + 600
        while total.value - start_count < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {total.value - start_count} of {count} arrived in 600 s")
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        # Connections the workers opened during the run used all their CPU within it.
        groups["postgres"] = sorted(set(groups["postgres"]) | set(services.postgres_pids()))
        after = cpu_snapshot(groups)
        used = {name: after[name] - before.get(name, 0.0) for name in after}
        return count / elapsed, {"elapsed": elapsed, **used}
    finally:
        stop_workers(procs)


def cpu_report(cpu: dict, count: int) -> str:
    """CPU per mail of each part, and how busy the machine's cores were (others too)."""
    ours = ("workers", "smtp server", "postgres", "redis")
    parts = ", ".join(f"{name} {cpu[name] * 1000 / count:.2f}" for name in ours)
    capacity = cpu["elapsed"] * (os.cpu_count() or 1)
    others = max(0.0, cpu["machine"] - sum(cpu[name] for name in ours))
    return (
        f"  cpu ms/mail: {parts}; machine {100 * cpu['machine'] / capacity:.0f}% busy "
        f"({100 * others / capacity:.0f}% other processes)"
    )


def smtplib_loop(port: int, message: bytes, count: int, reuse: bool) -> float:
    """Mails/s of plain smtplib sending `message` to the server, reusing one connection or not."""
    started = time.perf_counter()
    if reuse:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for n in range(count):
                smtp.sendmail("noreply@mentorhub.com", [f"u{n}@example.com"], message)
    else:
        for n in range(count):
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                smtp.sendmail("noreply@mentorhub.com", [f"u{n}@example.com"], message)
    return count / (time.perf_counter() - started)


def sample_message(app: Flask) -> bytes:
    """The bytes a worker sends for one welcome notification, for the smtplib loops."""
    from mentorhub.notifications.compose import PreparedRow, build_email

    with app.app_context():
        email = build_email(PreparedRow(1, 1, "u0@example.com", "welcome", {"name": "User"}, 0))
        return email.as_bytes(app.config["FROM_EMAIL"])
