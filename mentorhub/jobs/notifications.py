"""Notification jobs, run by `flask worker` inside the app context."""

from __future__ import annotations

import logging

from mentorhub.extensions import db
from mentorhub.notifications import delivery
from mentorhub.notifications import sweep as notification_sweep

logger = logging.getLogger(__name__)


def deliver_notifications(ids: list[int]) -> dict[str, int]:
    """Deliver the pending notifications among `ids` (a large commit, a retry or a reminder)."""
    try:
        return delivery.deliver_notifications(ids)
    except Exception:
        # The rows stay pending; the sweep wakes delivery again. Re-raise so RQ records it too.
        logger.exception("delivering notifications %s failed", ids)
        raise
    finally:
        db.session.remove()


def drain_notifications() -> dict[str, int]:
    """Deliver every due pending notification: the wake-up small commits enqueue."""
    try:
        return delivery.drain()
    except Exception:
        logger.exception("draining notifications failed")
        raise
    finally:
        db.session.remove()


def sweep_notifications() -> int:
    """Re-open lapsed claims and wake delivery for overdue notifications; return how many."""
    try:
        return notification_sweep.sweep()
    except Exception:
        logger.exception("notification sweep failed")
        raise
    finally:
        db.session.remove()
