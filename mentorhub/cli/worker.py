"""`flask worker`: a non-forking RQ worker with its scheduler, inside the app context."""

from __future__ import annotations

import logging
import resource
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker

from mentorhub.extensions import db, rq
from mentorhub.notifications.sweep import worker_tick

logger = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs each job in this process (no fork), with a fresh DB session and a memory ceiling.

    Why not fork: the stock `rq worker` forks a work horse per job, about 19 ms each on our 2-core
    machine, and flask-rq's worker even starts a new `flask` process per job; that is more than
    the job itself (one SMTP send on a kept connection). Running in-process also lets the worker
    keep its SMTP connection open across jobs. What per-job isolation gave us is kept otherwise:
    every job has a timeout (SIGALRM in this main thread, NOTIFICATION_JOB_TIMEOUT), the worker
    exits after --max-jobs jobs or once its peak memory passes --max-memory-mb (a supervisor such
    as systemd or Kubernetes starts a fresh one), and jobs only reload rows by id, so nothing a
    job leaves behind is trusted by the next beyond the SMTP connection, which is health-checked.
    """

    max_memory_mb: int | None = None
    sweep: bool = True

    def run_maintenance_tasks(self) -> None:
        """RQ's registry cleaning, then our sweep: at start, and every maintenance interval."""
        super().run_maintenance_tasks()
        if not self.sweep:
            return
        try:
            worker_tick(self.maintenance_interval)
        except Exception:  # noqa: BLE001 - a DB or Redis hiccup must not stop the worker
            logger.exception("notification sweep tick failed")
        finally:
            db.session.remove()

    def execute_job(self, job, queue) -> None:
        """Run the job, drop its DB session, and stop if the process has grown too big."""
        try:
            super().execute_job(job, queue)
        finally:
            db.session.remove()
        if self.max_memory_mb and _peak_memory_mb() > self.max_memory_mb:
            self.log.warning(
                "worker %s passed %d MB; stopping for a restart", self.name, self.max_memory_mb
            )
            self._stop_requested = True


def _peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in kilobytes on Linux and bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs that are due, then exit.")
@click.option("--max-jobs", type=click.IntRange(min=1), help="Exit after this many jobs.")
@click.option(
    "--max-memory-mb", type=click.IntRange(min=32), help="Exit once peak RSS passes this."
)
@click.option("--scheduler/--no-scheduler", default=True, help="Also run RQ's scheduler.")
@click.option("--sweep/--no-sweep", default=True, help="Run the periodic notification sweep.")
@click.option("--name", help="Worker name (default: RQ's).")
@click.argument("queues", nargs=-1)
@with_appcontext
def worker(
    burst: bool,
    max_jobs: int | None,
    max_memory_mb: int | None,
    scheduler: bool,
    sweep: bool,
    name: str | None,
    queues: tuple[str, ...],
) -> None:
    """Run a worker on the notification queues (default: every configured queue)."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run in-process.")
    known = rq.queues
    unknown = [q for q in queues if q not in known]
    if unknown:
        raise click.ClickException(f"unknown queue(s): {', '.join(unknown)}")
    selected = [known[q] for q in queues] if queues else list(known.values())
    # The sweep runs as a maintenance task between jobs; an idle worker wakes for it because the
    # blocking dequeue times out after worker_ttl - 15 seconds.
    interval = float(app.config["NOTIFICATION_SWEEP_INTERVAL_SECONDS"])
    rq_worker = AppWorker(
        selected,
        name=name,
        job_class=selected[0].job_class,
        maintenance_interval=interval,
        worker_ttl=int(interval) + 16,
    )
    rq_worker.max_memory_mb = max_memory_mb
    rq_worker.sweep = sweep
    # RQ forks its scheduler process; it must not inherit open database connections.
    db.engine.dispose()
    rq_worker.work(burst=burst, max_jobs=max_jobs, with_scheduler=scheduler)
