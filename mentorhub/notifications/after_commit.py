"""Hand committed notifications to delivery: a queue job, or in-process delivery without Redis.

Rows are created inside the caller's transaction and remembered on its session (see
`enqueue_after_commit`); when that transaction commits they are dispatched, and a rollback
forgets them. If Redis cannot be reached the rows simply stay `pending` and the sweep delivers
them later, so the caller's request never fails because of the queue.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from mentorhub.extensions import db
from mentorhub.models import utcnow
from mentorhub.notifications.delivery import deliver_in_new_context
from mentorhub.notifications.job_queue import SESSION_KEY, enqueue, queue_enabled, wake_drain

logger = logging.getLogger(__name__)


def init_delivery(app: Flask) -> None:
    """Dispatch notifications after commit on the app's database session."""
    # Flask-SQLAlchemy gives every app bound to `db` the same session factory; listening on
    # it (not on SQLAlchemy's global Session class) once covers them all, and the handlers
    # read the committing app's config through current_app.
    for name, handler in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, handler):
            event.listen(db.session, name, handler)


def _after_commit(session: Session) -> None:
    items = session.info.pop(SESSION_KEY, None)
    if not items:
        return
    by_due: dict[datetime | None, list[int]] = defaultdict(list)
    first: list[int] = []
    for row, due, is_first in items:
        # The identity key needs no SQL; a row rolled back with a savepoint has none.
        state = inspect(row)
        if state.persistent and state.identity:
            (first if is_first and due is None else by_due[due]).append(state.identity[0])
    if not by_due and not first:
        return
    try:
        dispatch(by_due, first)
    except Exception:  # noqa: BLE001 - the caller's data is committed; the sweep will deliver
        logger.exception("could not hand notifications %s to delivery", dict(by_due))


def _after_rollback(session: Session) -> None:
    session.info.pop(SESSION_KEY, None)


def dispatch(by_due: dict[datetime | None, list[int]], first: Sequence[int] = ()) -> bool:
    """Deliver ids grouped by due time (None: now), `first` (account mail) ahead of the rest.

    False if the queue was unreachable.
    """
    now = utcnow()
    due_now = [i for due, ids in by_due.items() if due is None or due <= now for i in ids]
    later = {due: ids for due, ids in by_due.items() if due is not None and due > now}
    if not queue_enabled():
        # Scheduled rows wait for `flask notifications sweep`, which delivers due rows.
        if first or due_now:
            deliver_in_new_context([*first, *due_now])
        return True
    ok = enqueue({None: list(first)}, first=True) if first else True
    ok = (enqueue(later) if later else True) and ok
    if len(due_now) >= current_app.config["NOTIFICATION_BATCH_SIZE"]:
        # A large commit: work orders by id, so every worker can take a share at once.
        return enqueue({None: due_now}) and ok
    if due_now:
        return wake_drain() and ok
    return ok
