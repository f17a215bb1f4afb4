"""Statistics jobs, run by `flask worker` inside the app context."""

from __future__ import annotations

import logging

from mentorhub.extensions import db
from mentorhub.services.stats import refresh_platform_stats
from mentorhub.stats.counters import rebuild_counters

logger = logging.getLogger(__name__)


def recount_platform_counters() -> int | None:
    """Recount the platform counters unless a recount is running; return the total drift fixed."""
    try:
        checks = rebuild_counters(wait=False)
        if checks is None:
            logger.info("platform recount skipped: another one is running")
            return None
        refresh_platform_stats()
        return sum(abs(check.drift) for check in checks)
    except Exception:
        logger.exception("platform recount failed")
        raise
    finally:
        db.session.remove()
