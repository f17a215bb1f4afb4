"""Retention: delete rows nobody needs any more, in short batches that never hold long locks.

Three kinds of rows go:

- revocations whose token has expired (from then on the token is refused for its own expiry);
- idempotency keys past their expiry (IDEMPOTENCY_KEY_HOURS after their request), with the
  answers stored for them;
- `sent`, `cancelled`, `skipped` and `expired` notifications unchanged for
  NOTIFICATION_RETENTION_DAYS. `failed` rows stay until they are retried, or pruned on request
  (`include_failed`); `pending` and `sending` rows are work in progress.

Each batch is its own transaction: it locks at most RETENTION_BATCH_SIZE rows, skipping any that
another transaction holds, and deletes them by key. It holds row locks only on those rows and only
for one small DELETE, so inserts, deliveries and inbox reads carry on around it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import Column, ColumnElement, Connection, Select, any_, bindparam, delete, select
from sqlalchemy.dialects import postgresql

from mentorhub.extensions import db
from mentorhub.models import IdempotencyKey, Notification, RevokedToken, utcnow
from mentorhub.models.notification import NotificationStatus

logger = logging.getLogger(__name__)

PRUNABLE_NOTIFICATION_STATUSES = (
    NotificationStatus.SENT,
    NotificationStatus.CANCELLED,
    NotificationStatus.SKIPPED,
    NotificationStatus.EXPIRED,
)
# Called after every batch with the table's name, the rows deleted and the batch's seconds.
BatchHook = Callable[[str, int, float], None]


def _no_hook(table: str, rows: int, seconds: float) -> None:
    return None


def purge_expired_revocations(
    batch_size: int, deadline: float | None = None, on_batch: BatchHook = _no_hook
) -> int:
    """Delete revocations of tokens that have expired anyway; return how many went."""
    return _purge_expired(RevokedToken.__table__.c.jti, batch_size, deadline, on_batch)


def purge_expired_idempotency_keys(
    batch_size: int, deadline: float | None = None, on_batch: BatchHook = _no_hook
) -> int:
    """Delete idempotency keys past their expiry (and their stored answers); return how many."""
    return _purge_expired(IdempotencyKey.__table__.c.id, batch_size, deadline, on_batch)


def _purge_expired(
    key: Column, batch_size: int, deadline: float | None, on_batch: BatchHook
) -> int:
    """Delete the rows of `key`'s table whose `expires_at` has passed, batch by batch."""
    chosen = (
        select(key)
        .where(key.table.c.expires_at < utcnow())
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    total = 0
    while not _past(deadline):
        deleted = _delete_batch(key.table.name, key, chosen, on_batch)
        total += len(deleted)
        if len(deleted) < batch_size:
            break
    return total


def prune_notifications(
    older_than: timedelta,
    batch_size: int,
    include_failed: bool = False,
    deadline: float | None = None,
    on_batch: BatchHook = _no_hook,
) -> int:
    """Delete finished notifications last changed before `older_than` ago; return the count.

    Batches walk the primary key upwards. Rows are inserted in id order and a row changes only
    after it was created, so no row at or past the first one created after the cut-off can
    qualify: the walk stops there, and a pass costs the old rows, not the whole table.
    """
    cutoff = utcnow() - older_than
    statuses = PRUNABLE_NOTIFICATION_STATUSES + (
        (NotificationStatus.FAILED,) if include_failed else ()
    )
    with db.engine.connect() as connection:
        first_young = connection.scalar(
            select(Notification.id)
            .where(Notification.created_at >= cutoff)
            .order_by(Notification.id)
            .limit(1)
        )
    after, total = 0, 0
    while not _past(deadline):
        chosen = select(Notification.id).where(
            Notification.id > after,
            Notification.status.in_(statuses),
            Notification.updated_at < cutoff,
        )
        if first_young is not None:
            chosen = chosen.where(Notification.id < first_young)
        chosen = chosen.order_by(Notification.id).limit(batch_size)
        deleted = _delete_batch(
            "notifications",
            Notification.__table__.c.id,
            chosen.with_for_update(skip_locked=True),
            on_batch,
        )
        total += len(deleted)
        if len(deleted) < batch_size:
            break
        after = deleted[-1]
    return total


def run_retention_pass(
    max_seconds: float | None = None,
    include_failed: bool = False,
    on_batch: BatchHook = _no_hook,
) -> dict[str, int]:
    """Prune every kind of expired row once; return rows deleted per table (needs app context)."""
    config = current_app.config
    batch_size = config["RETENTION_BATCH_SIZE"]
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    started = time.monotonic()
    counts = {
        "revoked_tokens": purge_expired_revocations(batch_size, deadline, on_batch),
        "notifications": prune_notifications(
            timedelta(days=config["NOTIFICATION_RETENTION_DAYS"]),
            batch_size,
            include_failed=include_failed,
            deadline=deadline,
            on_batch=on_batch,
        ),
        "idempotency_keys": purge_expired_idempotency_keys(batch_size, deadline, on_batch),
    }
    if any(counts.values()):
        logger.info(
            "retention: deleted %s in %.1f s",
            ", ".join(f"{count} {name}" for name, count in counts.items()),
            time.monotonic() - started,
        )
    return counts


def _delete_batch(name: str, key: Column, chosen: Select, on_batch: BatchHook) -> list:
    """Lock the chosen rows and delete them by key, in one short transaction."""
    # Two statements rather than `DELETE ... WHERE key IN (SELECT ...)`: PostgreSQL plans that
    # as a hash join over a sequential scan of the whole table, once per batch.
    started = time.monotonic()
    with db.engine.begin() as connection:
        keys = list(connection.scalars(chosen))
        if keys:
            connection.execute(delete(key.table).where(_one_of(connection, key, keys)))
    on_batch(name, len(keys), time.monotonic() - started)
    return keys


def _one_of(connection: Connection, key: Column, keys: list) -> ColumnElement[bool]:
    # One array parameter on PostgreSQL: an IN list of thousands of parameters costs more to
    # build and bind than the DELETE itself.
    if connection.dialect.name == "postgresql":
        return key == any_(bindparam("keys", keys, type_=postgresql.ARRAY(key.type)))
    return key.in_(keys)


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline
