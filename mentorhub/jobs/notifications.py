"""Notification jobs, run by `flask worker` inside the app context."""

from __future__ import annotations

import logging

from mentorhub.extensions import db
from mentorhub.notifications import delivery
from mentorhub.notifications import sweep as notification_sweep

logger = logging.getLogger(__name__)


def deliver_notifications(ids: list[int]) -> dict[str, int]:
    """Deliver the pending notifications among `ids` (a batch from one commit or sweep)."""
    try:
        return delivery.deliver_notifications(ids)
    except Exception:
        # The rows stay pending; the sweep enqueues them again. Re-raise so RQ records it too.
        logger.exception("delivering notifications %s failed", ids)
        raise
    finally:
        db.session.remove()


def sweep_notifications() -> int:
    """Re-enqueue pending notifications whose job is overdue; return how many."""
    try:
        return notification_sweep.sweep()
    except Exception:
        logger.exception("notification sweep failed")
        raise
    finally:
        db.session.remove()
