"""Write each delivery outcome the moment it is known, surviving a dropped database connection.

Every write is its own autocommit statement, so a worker killed mid-batch has recorded every
mail it sent. A write that fails because the connection died (a server restart, a terminated
backend, a pooler dropping us) is retried on a fresh connection: giving up would leave a sent
mail `sending`, and it would go out again once the lease lapsed.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, update
from sqlalchemy.exc import DBAPIError, OperationalError

from mentorhub.extensions import db
from mentorhub.models import Notification, utcnow
from mentorhub.models.notification import NotificationStatus as S

logger = logging.getLogger(__name__)
_n = Notification.__table__
# Backoff between tries on a fresh connection; their sum stays well inside one lease.
RETRY_DELAYS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)


class OutcomeWriter:
    """An autocommit connection for one batch's outcome writes."""

    def __init__(self) -> None:
        self.connection: Connection | None = None
        self.counts: dict[str, int] = {}

    def __enter__(self) -> OutcomeWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Return the connection to the pool."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def execute(self, statement):
        """Run `statement` in autocommit, on a fresh connection if the current one died."""
        for attempt, delay in enumerate(RETRY_DELAYS):
            time.sleep(delay)
            try:
                if self.connection is None:
                    self.connection = db.engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT"
                    )
                return self.connection.execute(statement)
            except DBAPIError as error:
                if not _lost_connection(error) or attempt == len(RETRY_DELAYS) - 1:
                    raise
                logger.warning("database connection lost (%s); retrying on a new one", error)
                self.close()
        raise AssertionError("unreachable")

    def record(self, row_id: int, status: str, error: str | None = None, **values) -> str:
        """Write one row's outcome now, and count it."""
        values.update(
            status=status,
            last_error=error,
            claimed_by=None,
            claimed_until=None,
            updated_at=utcnow(),
        )
        self.execute(update(_n).where(_n.c.id == row_id).values(**values))
        self.counts[status] = self.counts.get(status, 0) + 1
        return status

    def release(self, ids: list[int]) -> None:
        """Hand claimed rows back as pending, now rather than when their lease lapses."""
        if ids:
            self.execute(
                update(_n)
                .where(_n.c.id.in_(ids), _n.c.status == S.SENDING)
                .values(status=S.PENDING, claimed_by=None, claimed_until=None, updated_at=utcnow())
            )


def _lost_connection(error: DBAPIError) -> bool:
    # SQLAlchemy flags errors that invalidated the connection; OperationalError also covers a
    # server that refuses new connections for a moment while it restarts.
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)
