"""A real gunicorn serving `wsgi:app` on the test run's database and Redis, for tests."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.support.environ import process_environ
from tests.support.servers import ServerProcess, free_port, gunicorn_command


class Gunicorn:
    """`gunicorn wsgi:app` with `workers` workers; its own lines apart from the app's log."""

    def __init__(self, tmp_path: Path, workers: int = 2, **environ: str) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.metrics_dir = tmp_path / "prometheus"
        self.app_log = tmp_path / "app.log"
        self.server_log = tmp_path / "gunicorn.log"
        self.workers = workers
        self.environ = process_environ(PROMETHEUS_MULTIPROC_DIR=str(self.metrics_dir), **environ)
        self.server: ServerProcess | None = None

    def start(self, wait: bool = True) -> Gunicorn:
        """Start it (gunicorn.conf.py prepares the metrics directory); wait until it answers."""
        log = str(self.server_log)
        command = gunicorn_command(
            self.port, "--workers", str(self.workers), "--no-control-socket",
            "--error-logfile", log, "--access-logfile", log,
        )  # fmt: skip
        self.server = ServerProcess(command, self.environ, self.app_log)
        return self.wait() if wait else self

    def wait(self) -> Gunicorn:
        """Wait until it answers /health."""
        self.server.wait_for_http(f"{self.base_url}/health")
        return self

    def worker_pids(self) -> set[str]:
        """Processes that have written metrics (prometheus_client names files by pid)."""
        return {path.stem.rsplit("_", 1)[-1] for path in self.metrics_dir.glob("counter_*.db")}

    def logs(self) -> str:
        """What the app and gunicorn wrote."""
        parts = [
            p.read_text(errors="replace") for p in (self.app_log, self.server_log) if p.exists()
        ]
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop it (quick shutdown: nothing is in flight), and wait."""
        if self.server is not None:
            self.server.stop(signal.SIGINT)
