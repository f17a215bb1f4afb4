"""Single read-only statements on their own pool: no liveness ping, one retry if it died.

The main pool pings every connection it hands out, because a request's transaction cannot be
replayed once it has started writing. One read-only statement can: sent on a connection the
server has dropped (a restart, a terminated backend), it fails before doing anything, and the
same statement on a fresh connection gives the answer. So these reads skip the ping, which is a
database round trip per request, and retry once instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.exc import DBAPIError

from mentorhub.extensions import db

logger = logging.getLogger(__name__)
READS_BIND = "reads"


def read_one(statement: Executable, params: Mapping[str, Any]) -> Row:
    """Run a read-only statement that returns exactly one row, in autocommit."""
    try:
        return _read_one(statement, params)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # SQLAlchemy has already dropped that connection and every one opened before it.
        logger.info("read on a dropped database connection; sending it again: %s", error.orig)
        return _read_one(statement, params)


def _read_one(statement: Executable, params: Mapping[str, Any]) -> Row:
    # Autocommit: no BEGIN before the statement and no ROLLBACK when the pool takes it back.
    engine = db.engines[READS_BIND]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).one()
