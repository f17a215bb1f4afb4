"""The notification benchmark's `flask worker` processes, one of them optionally profiled."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import redis
from flask import Flask

from tests.support.servers import ServerProcess, flask_command
from tests.support.workers import wait_for_workers

# A worker under cProfile with a CPU clock (time waiting for work is not cost), started after
# the imports and the app are loaded, so only the work loop is measured.
PROFILED_WORKER = """
import cProfile, sys, time
import wsgi
from flask.cli import main
profiler = cProfile.Profile(time.process_time)
sys.argv = ["flask", "worker", "notifications"]
profiler.enable()
try:
    main()
except SystemExit:
    pass
profiler.disable()
profiler.dump_stats({path!r})
"""


def start_workers(app: Flask, env: dict, count: int, profile: str | None = None) -> list:
    """`count` `flask worker notifications` processes, registered and waiting for work.

    The first runs under cProfile, dumping to `profile`, if that is set.
    """
    from mentorhub.notifications.job_queue import notification_queue

    logs = Path(tempfile.mkdtemp(prefix="bench-notification-workers-"))
    workers = []
    for n in range(count):
        command = flask_command("worker", "notifications")
        if profile and n == 0:
            command = [sys.executable, "-c", PROFILED_WORKER.format(path=profile)]
        workers.append(ServerProcess(command, env, logs / f"worker-{n}.log"))
    with app.app_context():
        connection = redis.Redis.from_url(app.config["REDIS_URL"])
        wait_for_workers(connection, count, notification_queue(), timeout=120)
    return workers


def stop_workers(workers: list[ServerProcess]) -> None:
    """A warm shutdown of each (a profiled worker writes its profile then)."""
    for worker in workers:
        worker.stop(timeout=60)
