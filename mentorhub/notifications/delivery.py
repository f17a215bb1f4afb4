"""Deliver email notifications: claim under a lease, send each mail, record each outcome at once.

A claimed row is `sending` until its outcome is written, one autocommit statement per mail, the
moment the server answers (retried on a new connection if the old one died). The one window for
a duplicate is a worker killed between the server's acceptance and that write: the lease then
lapses and the mail goes out again with the same Message-ID, rather than being lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import current_app

from mentorhub.extensions import db
from mentorhub.mail import (
    EmailDeliveryError,
    EmailRejected,
    SMTPUnavailable,
    send_rendered,
    worker_smtp,
)
from mentorhub.models import utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.notifications.claim import (
    Claimed,
    ClaimedRow,
    claim,
    reminder_verdict,
    session_states,
)
from mentorhub.notifications.compose import build_email
from mentorhub.notifications.job_queue import drain_started, enqueue, queue_enabled, wake_drain
from mentorhub.notifications.lease import HeldRows, leases_kept
from mentorhub.notifications.retries import Batch, count_unexpected, retry_later
from mentorhub.observability import record_delivery

logger = logging.getLogger(__name__)


def deliver_notifications(ids: list[int]) -> dict[str, int]:
    """Deliver the pending, due email notifications among `ids`; safe to run more than once."""
    with leases_kept() as held, Batch() as batch:
        _deliver_rows(claim(ids), batch, held)
    _schedule_retries(batch)
    return batch.counts


def drain(max_seconds: float | None = None) -> dict[str, int]:
    """Deliver every due pending row, batch by batch, until none is left (or time is up).

    A wake-up job runs this. Stopping after `max_seconds` under endless traffic keeps the job
    inside its timeout; it hands over to a fresh wake-up.
    """
    if queue_enabled():
        drain_started()
    size = current_app.config["NOTIFICATION_BATCH_SIZE"]
    if max_seconds is None:
        max_seconds = current_app.config["NOTIFICATION_JOB_TIMEOUT"] / 2
    deadline = time.monotonic() + max_seconds
    with leases_kept() as held, Batch() as batch:
        while True:
            rows = _claim_retrying(lambda: claim(limit=size))
            _deliver_rows(rows, batch, held)
            if rows.count < size:
                break
            if time.monotonic() > deadline:
                if queue_enabled():
                    wake_drain(force=True)
                break
            if queue_enabled():
                # A backlog: wake an idle worker to drain beside this one.
                wake_drain()
    _schedule_retries(batch)
    return batch.counts


def deliver_in_new_context(ids: list[int]) -> None:
    """In-process delivery (no Redis) in a fresh app context, so it has its own DB session."""
    try:
        with current_app.app_context():
            deliver_notifications(ids)
    except Exception:  # noqa: BLE001 - the rows stay pending for the sweep; never fail the caller
        logger.exception("in-process delivery of notifications %s failed", ids)


def _claim_retrying(claim_rows: Callable[[], Claimed]) -> Claimed:
    # A claim that fails on a dead connection rolled back (nothing claimed), or committed and
    # then lost the answer (the rows come back when the lease lapses): either way retry once.
    try:
        return claim_rows()
    except Exception:  # noqa: BLE001 - re-raised below if the retry fails too
        db.session.rollback()
        db.session.remove()
        logger.warning("claiming notifications failed; retrying on a new connection")
        return claim_rows()


def _deliver_rows(rows: list[ClaimedRow], batch: Batch, held: HeldRows) -> None:
    smtp = worker_smtp if queue_enabled() else None
    held.add(row.id for row in rows)
    done = 0
    try:
        for row in rows:
            _deliver_one(row, smtp, batch)
            held.done(row.id)
            done += 1
    except BaseException:
        # A job timeout or a bug: hand the untouched rows back now rather than at lease end.
        # The row in hand may have been sent already, so it waits for its lease to lapse (it
        # is no longer renewed) rather than being handed back at once.
        untouched = [row.id for row in rows[done + 1 :]]
        batch.release(untouched)
        for row_id in [rows[done].id, *untouched] if done < len(rows) else untouched:
            held.done(row_id)
        raise


def _deliver_one(row: ClaimedRow, smtp, batch: Batch) -> str:
    try:
        verdict = _reminder_no_longer_useful(row, batch)
    except Exception as error:  # noqa: BLE001 - not an outcome: counted as an attempt
        return count_unexpected(row, error, batch)
    if verdict:
        return batch.record(row.id, *verdict)
    if batch.smtp_down:
        # The server refused this batch's connection: count the attempt for the rest too
        # instead of waiting out a connect timeout per mail.
        return retry_later(row, batch.smtp_down, batch)
    try:
        delivered = send_rendered(build_email(row), smtp)
    except EmailRejected as error:
        record_delivery("failed", row.type, "email", notification_id=row.id)
        return batch.record(row.id, S.FAILED, str(error), attempts=row.attempts + 1)
    except SMTPUnavailable as error:
        batch.smtp_down = str(error)
        return retry_later(row, str(error), batch)
    except EmailDeliveryError as error:
        return retry_later(row, str(error), batch)
    except Exception as error:  # noqa: BLE001 - not an outcome: counted as an attempt
        return count_unexpected(row, error, batch)
    note = None if delivered else "SMTP not configured: logged, not sent"
    now = utcnow()
    record_delivery("sent", row.type, "email", row.due_at, row.id)
    return batch.record(row.id, S.SENT, note, attempts=row.attempts + 1, sent_at=now)


def _reminder_no_longer_useful(row: ClaimedRow, batch: Batch) -> tuple[str, str] | None:
    if row.type != "session_reminder":
        return None
    # Checked again right before sending: the session may have changed since the claim.
    sessions = session_states([row.data], batch)
    return reminder_verdict(row.data, sessions, row.due_at, utcnow())


def _schedule_retries(batch: Batch) -> None:
    if batch.retries and queue_enabled():
        enqueue(dict(batch.retries))
