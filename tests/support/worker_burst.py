"""`flask worker --burst` run in the test's own process: the real RQ worker, no start-up cost.

Tests that kill, stall or outlive a worker start it as a process of its own; a test that only
needs what is due delivered runs it here, on an app of its own as a worker process would have.
"""

from __future__ import annotations

import signal

from click.testing import Result
from flask import Flask

from mentorhub.cli.worker import worker


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
