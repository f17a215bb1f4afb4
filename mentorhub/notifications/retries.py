"""What a failed attempt means for its row: another try after a backoff, or `failed` for good.

Every failure counts as an attempt, whatever it was: a server that refused or timed out, and
just as much an exception that is no delivery outcome at all (a type this release no longer
knows, data the database refuses, a bug). Such a row ends `failed` with its error after the
usual retries, instead of coming back with its lease forever ahead of the rows behind it.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from flask import current_app

from mentorhub.extensions import db
from mentorhub.models import utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.notifications.claim import ClaimedRow
from mentorhub.notifications.outcomes import OutcomeWriter
from mentorhub.observability import record_delivery

logger = logging.getLogger(__name__)


class Batch(OutcomeWriter):
    """One job's outcome writes, plus the retries to schedule and an SMTP outage seen."""

    def __init__(self) -> None:
        super().__init__()
        self.retries: dict[datetime, list[int]] = {}
        self.smtp_down: str | None = None


def retry_delay(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from the base, capped, with jitter."""
    config = current_app.config
    delay = config["NOTIFICATION_RETRY_BASE_SECONDS"] * 2 ** min(attempts - 1, 40)
    # The jitter spreads a recovering server's load; the cap keeps retries frequent enough.
    return min(config["NOTIFICATION_RETRY_MAX_SECONDS"], delay) * random.uniform(1.0, 1.2)


def retry_later(row: ClaimedRow, error: str, batch: Batch) -> str:
    """Count a failed attempt: schedule the next, or mark the row failed once it has had all."""
    config = current_app.config
    now = utcnow()
    attempts = row.attempts + 1
    first_failed = row.first_failed_at or now
    retry_at = now + timedelta(seconds=retry_delay(attempts))
    lifetime = timedelta(hours=config["NOTIFICATION_MAX_AGE_HOURS"])
    if attempts >= config["NOTIFICATION_MAX_ATTEMPTS"] or retry_at - first_failed > lifetime:
        logger.error("notification %s failed after %d attempts: %s", row.id, attempts, error)
        record_delivery("failed", row.type, "email", notification_id=row.id)
        return batch.record(row.id, S.FAILED, error, attempts=attempts)
    batch.record(
        row.id,
        S.PENDING,
        error,
        attempts=attempts,
        queued_at=retry_at,
        first_failed_at=first_failed,
    )
    # One job per second of retry times; it runs once every row in it is due.
    slot = retry_at.replace(microsecond=0) + timedelta(seconds=1)
    batch.retries.setdefault(slot, []).append(row.id)
    logger.warning("notification %s attempt %d failed (%s); retrying", row.id, attempts, error)
    record_delivery("retried", row.type, "email", notification_id=row.id)
    return "retry"


def count_unexpected(row: ClaimedRow, error: Exception, batch: Batch) -> str:
    """An exception that is no delivery outcome: logged with its traceback, then an attempt."""
    logger.error("notification %s could not be prepared or sent", row.id, exc_info=error)
    # A failed statement may have left the job's session unusable for the next row.
    db.session.rollback()
    return retry_later(row, f"{type(error).__name__}: {error}", batch)
