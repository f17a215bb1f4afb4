"""Fixtures for the notification pipeline: a real SMTP server, real worker processes, Redis.

`smtp` is an aiosmtpd server on loopback that records every message it accepts; it can be
stopped (connections refused) and started again on the same port, or told to stall. `start_worker`
runs `flask worker` as a separate process group on the suite's database and Redis, so a test can
SIGKILL it (and RQ's scheduler child) like a crashed machine.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mentorhub.extensions import db as _db
from tests.support.notifications import (
    FAST,
    ROOT,
    worker_environ,
)
from tests.support.tables import empty_tables
from tests.support.worker_burst import run_burst

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


class WorkerProcess:
    """A `flask worker` process group."""

    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process = process
        self.log = log

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the worker and RQ's scheduler child together."""
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL if it does not go."""
        if self.process.poll() is None:
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill(signal.SIGKILL)
        self.process.wait(timeout=20)

    def output(self) -> str:
        """What the worker logged."""
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(smtp, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `flask worker [args]` processes; all are stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(*args: str, environ: dict[str, str] | None = None) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", *args],
            cwd=ROOT,
            env=environ or worker_environ(smtp),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = WorkerProcess(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def burst(make_app, smtp) -> Callable[..., None]:
    """Run `flask worker --burst` (deliver what is due, then exit) on a worker app of its own."""

    def run(**overrides: str) -> None:
        worker_app = make_app(
            dict(FAST), SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), **overrides
        )
        run_burst(worker_app)

    return run
