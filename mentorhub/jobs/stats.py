"""Statistics jobs, run by `flask worker`."""

from __future__ import annotations

import logging

from mentorhub.jobs.decorator import job
from mentorhub.services.stats import refresh_platform_stats
from mentorhub.stats.counters import RECOUNT_QUEUE, rebuild_counters

logger = logging.getLogger(__name__)


@job(RECOUNT_QUEUE)
def recount_platform_counters() -> int | None:
    """Recount the platform counters unless a recount is running; return the total drift fixed."""
    checks = rebuild_counters(wait=False)
    if checks is None:
        logger.info("platform recount skipped: another one is running")
        return None
    refresh_platform_stats()
    return sum(abs(check.drift) for check in checks)
