"""`flask worker`: a non-forking RQ worker with its scheduler, inside the app context."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from mentorhub.extensions import rq
from mentorhub.worker import WorkerOptions, run_worker


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
    """Run a worker on the notification queues (default: every configured queue).

    It rides out Redis outages (waiting with capped backoff, one warning per outage), and runs
    RQ's scheduler as a thread, so nothing it started outlives it.
    """
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run in-process.")
    known = rq.queues
    unknown = [q for q in queues if q not in known]
    if unknown:
        raise click.ClickException(f"unknown queue(s): {', '.join(unknown)}")
    selected = [known[q] for q in queues] if queues else list(known.values())
    options = WorkerOptions(burst, max_jobs, max_memory_mb, scheduler, sweep, name)
    run_worker(app, selected, options)
