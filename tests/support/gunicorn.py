"""Helpers for the observability tests: a real gunicorn, metric parsing, plain HTTP calls."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.support.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, keyed by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float | None:
    """One sample's value, or None when the page does not have it."""
    return samples(text).get((name, tuple(sorted(labels.items()))))


def total(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels` (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, lbls), v in samples(text).items() if n == name and wanted <= set(lbls))


def request(
    port: int,
    method: str,
    path: str,
    body: object = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request on a fresh connection: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Gunicorn:
    """`gunicorn wsgi:app` with two workers, on the suite's database and Redis."""

    def __init__(self, tmp_path: Path, **environ: str) -> None:
        self.port = free_port()
        self.metrics_dir = tmp_path / "prometheus"
        self.app_log = tmp_path / "app.log"
        self.server_log = tmp_path / "gunicorn.log"
        self.environ = {
            **os.environ,
            "MENTORHUB_ENV": "testing",
            "DATABASE_URL": TEST_DATABASE_URL,
            "REDIS_URL": TEST_REDIS_URL,
            "SECRET_KEY": TEST_SECRET,
            "RATE_LIMIT_ENABLED": "false",
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            **environ,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        """Start it (gunicorn.conf.py prepares the metrics directory) and wait for it."""
        log = str(self.server_log)
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--no-control-socket",
                   "--bind", f"127.0.0.1:{self.port}", "--error-logfile", log,
                   "--access-logfile", log, "wsgi:app"]  # fmt: skip
        with self.app_log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environ, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.logs()
            try:
                if request(self.port, "GET", "/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within 60 s\n{self.logs()}")

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
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
