"""Notification jobs, run by `flask worker`."""

from __future__ import annotations

from mentorhub.jobs.decorator import job
from mentorhub.notifications import delivery
from mentorhub.notifications import sweep as notification_sweep
from mentorhub.notifications.job_queue import QUEUE_NAME


@job(QUEUE_NAME)
def deliver_notifications(ids: list[int]) -> dict[str, int]:
    """Deliver the pending notifications among `ids` (a large commit, a retry or a reminder).

    If it fails, the rows stay pending and the sweep wakes delivery again.
    """
    return delivery.deliver_notifications(ids)


@job(QUEUE_NAME)
def drain_notifications() -> dict[str, int]:
    """Deliver every due pending notification: the wake-up small commits enqueue."""
    return delivery.drain()


@job(QUEUE_NAME)
def sweep_notifications() -> int:
    """Re-open lapsed claims and wake delivery for overdue notifications; return how many."""
    return notification_sweep.sweep()
