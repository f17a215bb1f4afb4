"""Notification test helpers: fast settings, a worker's environment, exactly-once checks."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import func, select

from mentorhub.models import Notification
from tests.support.environ import process_environ
from tests.support.smtp import MailSink
from tests.support.waiting import wait_until

# Fast retries and sweeps, so outage tests finish in seconds.
FAST = {
    "NOTIFICATION_RETRY_BASE_SECONDS": 0.5,
    "NOTIFICATION_SWEEP_AGE_SECONDS": 1.0,
    "NOTIFICATION_SWEEP_INTERVAL_SECONDS": 1.0,
    "NOTIFICATION_JOB_TIMEOUT": 20,
    # A killed worker's claim lapses this long after its last renewal.
    "NOTIFICATION_LEASE_SECONDS": 2,
}


# Data of an optional type, for tests about delivery itself: account
# mail (welcome) gets a job of its own per row, which tests of batching must not use.
MESSAGE = {"sender_name": "Ada", "preview": "Hello"}


def worker_environ(smtp: MailSink, **overrides: str | None) -> dict[str, str]:
    """Environment of a worker process: the same database, Redis and SMTP as the test app."""
    return process_environ(
        MENTORHUB_ENV="development",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        RATE_LIMIT_ENABLED=None,
        **{key: str(value) for key, value in FAST.items()},
        **overrides,
    )


def statuses(db) -> Counter:
    """How many notifications there are per status."""
    db.session.expire_all()
    rows = db.session.execute(select(Notification.status, func.count()).group_by("status"))
    counts = Counter(dict(rows.all()))
    db.session.commit()
    return counts


def assert_received_once_each(smtp: MailSink, emails: list[str]) -> None:
    """The server got exactly one message per address in `emails`, each with its own Message-ID."""
    received = Counter(m["To"] for m in smtp.messages)
    assert received == Counter(emails), {k: v for k, v in received.items() if v != 1}
    message_ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(message_ids)) == len(message_ids)


def assert_all_sent_exactly_once(
    db, smtp: MailSink, emails: list[str], timeout: float = 60
) -> float:
    """Wait until every row is `sent` (then nothing can be sent again); return seconds taken."""
    started = time.monotonic()
    wait_until(
        lambda: statuses(db) == Counter({"sent": len(emails)}),
        timeout,
        "every notification sent",
        on_timeout=lambda: (statuses(db), smtp.count()),
    )
    assert_received_once_each(smtp, emails)
    return time.monotonic() - started
