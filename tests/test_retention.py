"""Retention: what `flask retention run` (and the worker's pass) deletes, keeps and locks."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select, text

from mentorhub.cli.retention import retention
from mentorhub.extensions import db as _db
from mentorhub.models import Notification, RevokedToken, utcnow
from mentorhub.retention import run_retention_pass
from tests.support.run_resources import TEST_DATABASE_URL

OLD = timedelta(days=91)
RECENT = timedelta(days=89)


def _notification(status: str, age: timedelta, **fields) -> Notification:
    stamp = utcnow() - age
    row = Notification(
        email="someone@example.com",
        type="welcome",
        channel="email",
        status=status,
        created_at=stamp,
        updated_at=stamp,
        **fields,
    )
    _db.session.add(row)
    return row


def _statuses_left() -> list[tuple[str, bool]]:
    cutoff = utcnow() - timedelta(days=90)
    rows = _db.session.execute(
        select(Notification.status, Notification.updated_at < cutoff).order_by(Notification.id)
    )
    return [(status, old) for status, old in rows]


def test_cli_prunes_old_finished_notifications_and_keeps_the_rest(app, runner):
    statuses = ("sent", "cancelled", "skipped", "expired", "failed", "pending", "sending")
    # Oldest first, as rows arrive in production.
    for age in (OLD, RECENT):
        for status in statuses:
            _notification(status, age)
        _db.session.flush()
    _db.session.commit()

    result = runner.invoke(retention, ["run"])
    assert result.exit_code == 0, result.output
    assert "notifications: deleted 4" in result.output
    assert _statuses_left() == [
        ("failed", True),
        ("pending", True),
        ("sending", True),
        *[(status, False) for status in statuses],
    ]

    result = runner.invoke(retention, ["run", "--include-failed"])
    assert "notifications: deleted 1" in result.output
    assert _statuses_left() == [("pending", True), ("sending", True)] + [
        (status, False) for status in statuses
    ]


def test_the_retention_age_is_configurable(app):
    app.config["NOTIFICATION_RETENTION_DAYS"] = 7
    _notification("sent", timedelta(days=8))
    _notification("sent", timedelta(days=6))
    _db.session.commit()
    assert run_retention_pass() == {"revoked_tokens": 0, "notifications": 1, "idempotency_keys": 0}
    assert _db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_expired_revocations_are_purged_and_live_ones_kept(app, runner):
    now = utcnow()
    _db.session.add_all(
        [
            RevokedToken(jti="expired-1", expires_at=now - timedelta(seconds=1)),
            RevokedToken(jti="expired-2", expires_at=now - timedelta(days=30)),
            RevokedToken(jti="still-valid", expires_at=now + timedelta(days=13)),
        ]
    )
    _db.session.commit()
    result = runner.invoke(retention, ["run"])
    assert "revoked_tokens: deleted 2" in result.output
    assert _db.session.scalars(select(RevokedToken.jti)).all() == ["still-valid"]


def test_work_is_split_into_batches_of_the_configured_size(app):
    app.config["RETENTION_BATCH_SIZE"] = 3
    for _ in range(10):
        _notification("sent", OLD)
    _db.session.commit()
    batches: list[tuple[str, int]] = []
    counts = run_retention_pass(on_batch=lambda name, rows, _: batches.append((name, rows)))
    assert counts["notifications"] == 10
    notifications = [("notifications", rows) for rows in (3, 3, 3, 1)]
    assert batches == [("revoked_tokens", 0), *notifications, ("idempotency_keys", 0)]


def test_a_row_locked_elsewhere_is_skipped_not_waited_for(app):
    locked = _notification("sent", OLD)
    _notification("sent", OLD)
    _db.session.commit()
    with psycopg.connect(TEST_DATABASE_URL) as other:
        other.execute("SELECT id FROM notifications WHERE id = %s FOR UPDATE", (locked.id,))
        counts = run_retention_pass()
    assert counts["notifications"] == 1
    assert _db.session.scalars(select(Notification.id)).all() == [locked.id]
    assert run_retention_pass()["notifications"] == 1


def test_retention_works_on_the_embedded_sqlite_default(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.db'}", REDIS_URL="")
    with app.app_context():
        _db.create_all()
        _notification("sent", OLD)
        _notification("failed", OLD)
        _db.session.add(RevokedToken(jti="gone", expires_at=utcnow() - timedelta(hours=1)))
        _db.session.commit()
        counts = run_retention_pass()
        assert counts == {"revoked_tokens": 1, "notifications": 1, "idempotency_keys": 0}
        assert _statuses_left() == [("failed", True)]


ROWS = 1_000_000


class InsertProbe(threading.Thread):
    """Inserts one notification at a time on its own connection, timing each insert."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples: list[tuple[float, float]] = []  # (started, seconds)

    def run(self) -> None:
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
            while not self.stop.is_set():
                started = time.monotonic()
                conn.execute(
                    "INSERT INTO notifications (email, type, channel, data, status, attempts, "
                    "queued_at, created_at, updated_at) VALUES ('new@example.com', 'welcome', "
                    "'email', '{}', 'sent', 1, now(), now(), now())"
                )
                self.samples.append((started, time.monotonic() - started))
                self.stop.wait(0.005)  # pacing, so the probe does not hog a core


@pytest.mark.slow
def test_a_million_rows_are_pruned_while_inserts_carry_on(app):
    assert app.config["RETENTION_BATCH_SIZE"] == 5000  # the default
    _db.session.execute(
        text(
            "INSERT INTO notifications (email, type, channel, data, status, attempts, "
            "queued_at, created_at, updated_at) "
            "SELECT 'old' || g || '@example.com', 'welcome', 'email', '{}', "
            "CASE WHEN g % 100 = 0 THEN 'failed' ELSE 'sent' END, 1, ts, ts, ts "
            "FROM generate_series(1, :rows) AS g, "
            "LATERAL (SELECT now() - interval '200 days' + g * interval '1 second') AS t(ts)"
        ),
        {"rows": ROWS},
    )
    _db.session.commit()
    _db.session.execute(text("ANALYZE notifications"))
    _db.session.commit()

    probe = InsertProbe()
    probe.start()
    batches: list[tuple[int, float]] = []
    try:
        while len(probe.samples) < 20:  # the probe is up and inserting
            time.sleep(0.01)
        started = time.monotonic()
        counts = run_retention_pass(
            on_batch=lambda name, rows, seconds: batches.append((rows, seconds))
        )
        finished = time.monotonic()
    finally:
        probe.stop.set()
        probe.join()

    during = [seconds for begun, seconds in probe.samples if started <= begun <= finished]
    longest_batch = max(seconds for _, seconds in batches)
    print(
        f"\npruned {counts['notifications']} rows in {finished - started:.1f} s, "
        f"{len(batches)} batches, longest {longest_batch * 1000:.0f} ms; "
        f"{len(during)} inserts meanwhile, median {statistics.median(during) * 1000:.1f} ms, "
        f"max {max(during) * 1000:.0f} ms"
    )
    assert counts["notifications"] == ROWS - ROWS // 100
    old_left = _db.session.scalar(select(func.count()).where(Notification.email.like("old%")))
    new_left = _db.session.scalar(
        select(func.count()).where(Notification.email == "new@example.com")
    )
    assert (old_left, new_left) == (ROWS // 100, len(probe.samples))
    # Inserts went on all through the prune, none held up for long; and so did each batch.
    assert len(during) >= 50
    assert max(during) < 1.0
    assert longest_batch < 2.0
    assert len(batches) >= ROWS // 5000
