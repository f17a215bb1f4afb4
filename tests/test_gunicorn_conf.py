"""gunicorn.conf.py: real gunicorn processes, a bad config stops the master, a good one serves."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.environ import process_environ
from tests.support.servers import ROOT, ServerProcess, free_port

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _environ(**overrides: str) -> dict[str, str]:
    return process_environ(**{"MENTORHUB_ENV": None, **overrides})


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


def test_good_config_serves_with_the_configured_workers_and_port(tmp_path):
    port = free_port()
    environ = _environ(PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="2")
    command = [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"]
    server = ServerProcess(command, environ, tmp_path / "gunicorn.log")
    try:
        server.wait_for_http(f"http://127.0.0.1:{port}/health")
    finally:
        server.stop()
    output = server.output()
    assert output.count("Booting worker") == 2
    assert f"Listening at: http://127.0.0.1:{port}" in output
    assert '"GET /health HTTP/1.1" 200' in output  # the access log is on
