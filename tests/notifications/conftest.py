"""Fixtures for the notification pipeline: the app mailing the test's SMTP server, fast retries.

`smtp` (a real aiosmtpd server) and `start_worker` (real `flask worker` processes) come from
the suite's conftest; `burst` runs the worker in this process until nothing is due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from mentorhub.extensions import db as _db
from tests.support.notifications import FAST
from tests.support.tables import empty_tables
from tests.support.workers import run_burst

# aiosmtpd logs every SMTP command at INFO: keep failure reports readable.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture
def app(make_app, smtp):
    """The app on PostgreSQL and Redis, mailing the test SMTP server, with fast retries."""
    application = make_app(dict(FAST), SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
    with application.app_context():
        empty_tables()
        yield application
        _db.session.remove()


@pytest.fixture
def burst(make_app, smtp) -> Callable[..., None]:
    """Run `flask worker --burst` (deliver what is due, then exit) on a worker app of its own."""

    def run(**overrides: str) -> None:
        worker_app = make_app(
            dict(FAST), SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), **overrides
        )
        run_burst(worker_app)

    return run
