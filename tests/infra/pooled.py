"""Web and workers through PgBouncer in transaction mode, under load, until every mail is out.

Migrations have already run directly against PostgreSQL; everything here goes through the
pooler: gunicorn (three workers), two `flask worker`s, sixteen clients of statistics,
dashboards, messages and bookings, and three counter recounts (`flask stats rebuild`) during
the load. Then it waits until every due mail has been sent to a real SMTP server.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.infra.front_servers import PgBouncer
from tests.infra.processes import start_gunicorn, start_worker
from tests.infra.traffic import Clients, register_pair
from tests.support.databases import Database
from tests.support.servers import free_port, run_flask
from tests.support.smtp import MailSink
from tests.support.traffic import Tally
from tests.support.waiting import wait_until

CLIENTS = 16
LOAD_SECONDS = 12
RECOUNTS = 3


@dataclass
class PooledRun:
    """The answers, the mails, and the processes' logs of one run."""

    tally: Tally
    due_mail: Counter
    mails_received: int
    recounts_done: int
    logs: dict[str, str]


def due_email_statuses(database: Database) -> Counter:
    """Email notifications that are due (not reminders for later), by status."""
    rows = database.execute(
        "SELECT status, count(*) FROM notifications WHERE channel = 'email' "
        "AND (send_after IS NULL OR send_after <= now()) GROUP BY status"
    )
    return Counter(dict(rows))


def pooled_run(
    environ: Mapping[str, str], log_dir: Path, prepare_threshold: str | None = "off"
) -> PooledRun:
    """One run through a fresh PgBouncer in front of `environ`'s (migrated) database.

    `prepare_threshold` None keeps psycopg's default.
    """
    database = Database(environ["DATABASE_URL"])
    bouncer = PgBouncer(database.url).start()
    sink = MailSink().start()
    environ = {
        **environ,
        "DATABASE_URL": bouncer.url,
        "DB_PREPARE_THRESHOLD": prepare_threshold,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
        "SMTP_USE_TLS": "false",
        "LOG_LEVEL": "INFO",
    }
    environ = {name: value for name, value in environ.items() if value is not None}
    port = free_port()
    processes = []
    recounts = 0
    try:
        processes.append(start_gunicorn(environ, port, log_dir / "web.log", workers=3))
        processes += [start_worker(environ, log_dir / f"worker-{n}.log") for n in range(2)]
        base_url = f"http://127.0.0.1:{port}"
        pairs = [register_pair(base_url) for _ in range(CLIENTS)]
        with Clients(base_url, pairs, pause=0) as clients:
            started = time.monotonic()
            # A lock left behind on a pooled server connection would block the next recount.
            for _ in range(RECOUNTS):
                rebuilt = run_flask(environ, "stats", "rebuild", timeout=60)
                recounts += rebuilt.returncode == 0 and "users:" in rebuilt.stdout
            time.sleep(max(0.0, started + LOAD_SECONDS - time.monotonic()))
        # Whether every due mail went out is part of the result, read from due_mail.
        with contextlib.suppress(AssertionError):
            wait_until(lambda: set(due_email_statuses(database)) <= {"sent"}, timeout=90)
    finally:
        for process in processes:
            process.stop()
        bouncer.stop()
        sink.stop()
    logs = {process.name: process.output() for process in processes}
    return PooledRun(clients.tally, due_email_statuses(database), sink.count(), recounts, logs)
