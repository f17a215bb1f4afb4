"""Keep this process's claims alive while it works, and re-open claims whose holder died.

A claim is short so that a crashed worker's rows come back within about a minute; a job that
runs longer keeps its rows because a background thread renews the claims of the rows the job
still holds, a few times per lease, for as long as the job runs. Only those rows: a row left
`sending` by a failed job must lapse and come back, not be kept alive by the next job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from mentorhub.extensions import db
from mentorhub.models import Notification, utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.notifications.claim import lease, worker_token

logger = logging.getLogger(__name__)
_n = Notification.__table__


class HeldRows:
    """The ids a job has claimed and not yet finished, shared with its lease-keeper thread."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._lock = threading.Lock()

    def add(self, ids: Iterable[int]) -> None:
        """The job claimed these rows."""
        with self._lock:
            self._ids.update(ids)

    def done(self, row_id: int) -> None:
        """The job recorded this row's outcome (or handed it back)."""
        with self._lock:
            self._ids.discard(row_id)

    def snapshot(self) -> list[int]:
        """The ids held right now."""
        with self._lock:
            return list(self._ids)


@contextmanager
def leases_kept() -> Iterator[HeldRows]:
    """Renew the claims of the rows the block holds, in a background thread, until it ends."""
    app = current_app._get_current_object()
    held = HeldRows()
    stop = threading.Event()
    thread = threading.Thread(
        target=_renew_until, args=(app, stop, held), name="lease-keeper", daemon=True
    )
    thread.start()
    try:
        yield held
    finally:
        stop.set()
        thread.join(timeout=5)


def _renew_until(app: Flask, stop: threading.Event, held: HeldRows) -> None:
    with app.app_context():
        period = lease().total_seconds() / 3
        while not stop.wait(period):
            try:
                renew(held.snapshot())
            except SQLAlchemyError as error:
                # The outcome writes meet the same fault and retry; keep trying here too.
                logger.warning("could not renew notification claims: %s", error)


def renew(ids: list[int]) -> int:
    """Push back the lease of those of `ids` this process still holds `sending`."""
    if not ids:
        return 0
    now = utcnow()
    with db.engine.begin() as connection:
        return connection.execute(
            update(_n)
            .where(_n.c.id.in_(ids), _n.c.status == S.SENDING, _n.c.claimed_by == worker_token())
            .values(claimed_until=now + lease())
        ).rowcount


def reopen_lapsed(overdue_by: float) -> int:
    """Make `sending` rows whose lease lapsed pending again, and overdue so the sweep takes them."""
    now = utcnow()
    reopened = db.session.execute(
        update(_n)
        .where(_n.c.status == S.SENDING, _n.c.claimed_until < now)
        .values(
            status=S.PENDING,
            claimed_by=None,
            claimed_until=None,
            queued_at=now - timedelta(seconds=overdue_by + 1),
            updated_at=now,
        )
    ).rowcount
    db.session.commit()
    if reopened:
        logger.warning("re-opened %d notification(s) claimed by a worker that died", reopened)
    return reopened
