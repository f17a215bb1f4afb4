"""The `flask worker` runtime: an in-process RQ worker that outlives Redis outages."""

from mentorhub.worker.supervisor import WorkerOptions, run_worker

__all__ = ["WorkerOptions", "run_worker"]
