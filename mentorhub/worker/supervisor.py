"""Run the worker until asked to stop: wait for Redis, restart RQ's loop if it ever ends early."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass

from flask import Flask
from rq import Queue
from rq.exceptions import StopRequested

from mentorhub.extensions import db
from mentorhub.observability import observe_worker
from mentorhub.worker.app_worker import AppWorker
from mentorhub.worker.outage import REDIS_DOWN, RedisOutage
from mentorhub.worker.scheduler import SchedulerThread

logger = logging.getLogger(__name__)


@dataclass
class WorkerOptions:
    """What `flask worker` was asked for."""

    burst: bool = False
    max_jobs: int | None = None
    max_memory_mb: int | None = None
    scheduler: bool = True
    sweep: bool = True
    name: str | None = None


def run_worker(app: Flask, queues: list[Queue], options: WorkerOptions) -> None:
    """Work the queues until a signal, --burst, --max-jobs or --max-memory-mb ends it."""
    stopping = threading.Event()
    outage = RedisOutage(stopping)
    connection = queues[0].connection
    _stop_on_signals(stopping)
    interval = float(app.config["NOTIFICATION_SWEEP_INTERVAL_SECONDS"])
    observe_worker(app)
    scheduler = SchedulerThread([q.name for q in queues], connection)
    # Connections opened before this point would be shared with nothing, but start clean.
    for engine in db.engines.values():
        engine.dispose()
    jobs_done = restarts = 0
    try:
        outage.wait_until_back(connection)  # a worker started while Redis is down waits here
        if options.scheduler and options.burst:
            scheduler.tick()  # what is due now joins this burst
        elif options.scheduler:
            scheduler.start()
        while not stopping.is_set():
            worker = _new_worker(queues, outage, interval, options, restarts)
            restarts += 1
            remaining = None if options.max_jobs is None else options.max_jobs - jobs_done
            ended_cleanly = True
            try:
                worker.work(burst=options.burst, max_jobs=remaining)
            except REDIS_DOWN as error:
                # RQ's teardown could not record the worker's death: Redis is gone.
                ended_cleanly = False
                outage.wait_until_back(connection, error)
            jobs_done += worker.jobs_done
            _stop_on_signals(stopping)
            if worker.stop_asked or (remaining is not None and worker.jobs_done >= remaining):
                break
            if options.burst and ended_cleanly:
                break
            if not stopping.is_set():
                logger.warning("worker loop ended unexpectedly; restarting it")
                outage.wait_until_back(connection)
    except StopRequested:
        pass
    finally:
        if scheduler.is_alive():
            scheduler.stop()


def _new_worker(
    queues: list[Queue], outage: RedisOutage, interval: float, options: WorkerOptions, restarts: int
) -> AppWorker:
    name = options.name
    if name and restarts:
        # RQ refuses a name the previous loop may still hold, if Redis missed its death.
        name = f"{name}-{restarts}"
    worker = AppWorker(
        queues,
        name=name,
        job_class=queues[0].job_class,
        maintenance_interval=interval,
        # An idle worker wakes for maintenance when its blocking dequeue times out, which RQ
        # sets to worker_ttl - 15 seconds.
        worker_ttl=int(interval) + 16,
    )
    worker.outage = outage
    worker.max_memory_mb = options.max_memory_mb
    worker.sweep = options.sweep
    return worker


def _stop_on_signals(stopping: threading.Event) -> None:
    # Between RQ loops (waiting for Redis, restarting) a SIGTERM means: stop, do not restart.
    def handler(signum, frame) -> None:
        stopping.set()
        raise StopRequested()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
