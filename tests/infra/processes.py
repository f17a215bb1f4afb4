"""MentorHub's own processes for the infrastructure tests: gunicorn servers and `flask worker`.

Each runs as production runs it (gunicorn.conf.py, production settings) on the run's scratch
database and Redis db, with its output in a log file the test reads afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SECRET = "infra-test-secret-" + "k" * 40
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def app_environ(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings on the given database and Redis db; mail only logged unless set."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SMTP_", "FLASK_", "DB_", "GUNICORN_", "PROMETHEUS_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "MENTORHUB_ENV", "SECRET_KEY", "PORT")
    }
    environ = {
        **inherited,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "FLASK_APP": "wsgi:app",
        "MENTORHUB_ENV": "production",
        "SECRET_KEY": SECRET,
        "PUBLIC_BASE_URL": "https://mentorhub.example.com",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "log",
        # Every client here shares one address; the limiter is not what these tests are about.
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    environ.update(extra)
    return environ


class Process:
    """A child process with its output in `log`; stopped by signal, never by name."""

    def __init__(self, name: str, command: list[str], environ: dict, log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as output:
            self.popen = subprocess.Popen(
                command, cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT
            )

    def signal(self, signum: int) -> None:
        """Send `signum` to the process (if it still runs)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        """Wait for the exit; its code."""
        return self.popen.wait(timeout=timeout)

    def stop(self, timeout: float = 40) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; the exit code."""
        self.signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait(timeout=10)

    def output(self) -> str:
        """Everything the process wrote so far."""
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.popen.poll() is None


def start_gunicorn(
    environ: dict, port: int, log: Path, conf: Path = GUNICORN_CONF, workers: int = 2
) -> Process:
    """`gunicorn -c gunicorn.conf.py wsgi:app` on 127.0.0.1:`port`, answering /health."""
    environ = {**environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    server = Process(
        f"gunicorn:{port}",
        [str(VENV_BIN / "gunicorn"), "-c", str(conf), "wsgi:app"],
        environ,
        log,
    )
    wait_for_http(f"http://127.0.0.1:{port}/health", server)
    return server


def start_worker(environ: dict, log: Path, *args: str) -> Process:
    """A `flask worker` (the production notification worker)."""
    return Process(f"worker:{log.stem}", [str(VENV_BIN / "flask"), "worker", *args], environ, log)


def run_flask(environ: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a `flask` command to its end (e.g. `db upgrade`); fails the test on a non-zero exit."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"flask {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def wait_for_http(url: str, process: Process | None = None, timeout: float = 60) -> None:
    """Poll `url` until it answers 200; fail early if `process` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None:
            assert process.alive(), f"{process.name} exited:\n{process.output()[-3000:]}"
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer 200 in {timeout} s"
        time.sleep(0.1)
