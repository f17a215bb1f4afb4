"""RQ's SimpleWorker, made to wait for Redis instead of quitting when it goes away."""

from __future__ import annotations

import resource
import sys

from rq import SimpleWorker
from rq.exceptions import StopRequested

from mentorhub.extensions import db
from mentorhub.observability import record_job
from mentorhub.worker.maintenance import run_maintenance
from mentorhub.worker.outage import REDIS_DOWN, RedisOutage


class AppWorker(SimpleWorker):
    """Runs each job in this process (no fork), with a fresh DB session and a memory ceiling.

    Why not fork: the stock `rq worker` forks a work horse per job, which costs more than the job
    itself (one SMTP send on a kept connection), and in-process jobs keep their SMTP connection
    across jobs. What per-job isolation gave us is kept otherwise: every job has a timeout
    (SIGALRM in this main thread), the worker exits after --max-jobs jobs or once its peak memory
    passes --max-memory-mb (a supervisor starts a fresh one), and jobs only reload rows by id.

    Redis going away: RQ retries its dequeue on a connection error but not its heartbeat, its
    state writes or a finished job's bookkeeping, and quits on those. Each of those public
    methods here waits for Redis (see RedisOutage) and carries on; the job's own outcome is in
    the database already, so losing RQ's record of it loses nothing.
    """

    outage: RedisOutage
    max_memory_mb: int | None = None
    sweep: bool = True
    stop_asked: bool = False
    jobs_done: int = 0

    def handle_warm_shutdown_request(self) -> None:
        """SIGTERM or SIGINT: remember that this stop is wanted, so the worker is not restarted."""
        self.stop_asked = True
        self.outage.stopping.set()
        super().handle_warm_shutdown_request()

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """RQ's heartbeat, waiting for Redis if it is down."""
        while True:
            try:
                return super().heartbeat(timeout, pipeline)
            except REDIS_DOWN as error:
                self.outage.wait_until_back(self.connection, error)

    def set_state(self, state: str, pipeline=None) -> None:
        """RQ's state write, waiting for Redis if it is down."""
        while True:
            try:
                return super().set_state(state, pipeline)
            except REDIS_DOWN as error:
                self.outage.wait_until_back(self.connection, error)

    def check_for_suspension(self, burst: bool) -> None:
        """RQ's `rq suspend` check, waiting for Redis if it is down."""
        while True:
            try:
                return super().check_for_suspension(burst)
            except REDIS_DOWN as error:
                self.outage.wait_until_back(self.connection, error)

    def run_maintenance_tasks(self) -> None:
        """RQ's registry cleaning, then our sweep and retention: at start and every interval."""
        try:
            super().run_maintenance_tasks()
            run_maintenance(self.connection, self.maintenance_interval, sweep=self.sweep)
        except REDIS_DOWN as error:
            self.outage.wait_until_back(self.connection, error)

    def execute_job(self, job, queue) -> None:
        """Run the job, drop its DB session, and stop if the process has grown too big."""
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as error:
            # The job ran (or never started, its rows still pending); only RQ's record is lost.
            self.outage.wait_until_back(self.connection, error)
        finally:
            db.session.remove()
        record_job(job)
        self.jobs_done += 1
        if self.max_memory_mb and _peak_memory_mb() > self.max_memory_mb:
            self.log.warning(
                "worker %s passed %d MB; stopping for a restart", self.name, self.max_memory_mb
            )
            self.stop_asked = True
            raise StopRequested()


def _peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in kilobytes on Linux and bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
