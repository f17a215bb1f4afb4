"""gunicorn.conf.py: real gunicorn processes, a bad config stops the master, a good one serves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import base_environ
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _environ(**overrides: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MENTORHUB_ENV")}
    environ.update(base_environ(**overrides))
    return environ


@pytest.mark.parametrize("preload", [False, True], ids=["no-preload", "preload"])
def test_bad_secret_stops_the_master_with_one_line(preload):
    environ = _environ(SECRET_KEY="changeme", MENTORHUB_ENV="production", PORT=str(free_port()))
    command = [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"] + (["--preload"] if preload else [])
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert time.monotonic() - started < 15
    errors = [line for line in result.stderr.splitlines() if "configuration error" in line]
    assert errors == [
        "mentorhub: configuration error: SECRET_KEY is missing or a placeholder; set a random value"
    ]
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr  # stopped before forking anything


def test_good_config_serves_with_the_configured_workers_and_port():
    port = free_port()
    environ = _environ(PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="2")
    server = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = _wait_for_health(port, server)
        assert status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert output.count("Booting worker") == 2
    assert f"Listening at: http://127.0.0.1:{port}" in output
    assert '"GET /health HTTP/1.1" 200' in output  # the access log is on


def _wait_for_health(port: int, server: subprocess.Popen, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                return reply.status
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer in time")
