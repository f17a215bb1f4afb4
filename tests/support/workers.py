"""RQ workers in tests and benchmarks: `flask worker --burst` in-process, and waiting for workers.

Tests that kill, stall or outlive a worker start it as a process of its own (`ServerProcess`
with `flask_command("worker")`); a test that only needs what is due delivered runs it here, on
an app of its own, as a worker process would have.
"""

from __future__ import annotations

import signal

import redis
from click.testing import Result
from flask import Flask
from rq import Queue, Worker

from mentorhub.cli.worker import worker
from tests.support.waiting import wait_until


def run_burst(app: Flask, *args: str) -> Result:
    """Run the worker in burst mode on `app`; fail the test if it does not exit cleanly."""
    # The worker takes over SIGTERM and SIGINT, as a worker process should; give them back.
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        # A context of its own: with the test's context current, the command would run on the
        # test's app and its database session.
        with app.app_context():
            result = app.test_cli_runner().invoke(worker, ["--burst", *args])
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert result.exit_code == 0, result.output
    return result


def wait_for_workers(
    connection: redis.Redis, count: int, queue: Queue | None = None, timeout: float = 60
) -> None:
    """Wait until `count` RQ workers (of `queue`, if given) have registered."""

    def registered() -> bool:
        try:
            return Worker.count(connection=connection, queue=queue) >= count
        except redis.ConnectionError:
            return False

    wait_until(registered, timeout, f"{count} worker(s) to register")
