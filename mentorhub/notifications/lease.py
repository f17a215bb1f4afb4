"""Keep this process's claims alive while it works, and re-open claims whose holder died.

A claim is short so that a crashed worker's rows come back within about a minute; a job that
runs longer keeps its rows because a background thread renews every claim this process holds,
a few times per lease, for as long as the job runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
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


@contextmanager
def leases_kept() -> Iterator[None]:
    """Renew this process's claims in a background thread until the block ends."""
    app = current_app._get_current_object()
    stop = threading.Event()
    thread = threading.Thread(
        target=_renew_until, args=(app, stop, worker_token()), name="lease-keeper", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _renew_until(app: Flask, stop: threading.Event, token: str) -> None:
    with app.app_context():
        period = lease().total_seconds() / 3
        while not stop.wait(period):
            try:
                renew(token)
            except SQLAlchemyError as error:
                # The outcome writes meet the same fault and retry; keep trying here too.
                logger.warning("could not renew notification claims: %s", error)


def renew(token: str) -> int:
    """Push back the lease of every `sending` row `token` holds; return how many."""
    now = utcnow()
    with db.engine.begin() as connection:
        return connection.execute(
            update(_n)
            .where(_n.c.status == S.SENDING, _n.c.claimed_by == token)
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
