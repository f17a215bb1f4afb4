"""gunicorn.conf.py's stop: connections already queued are answered, new ones are not taken.

One real gunicorn with one worker, frozen (SIGSTOP) so that connections queue up behind it.
tests/infra runs the same stop under load behind nginx; this one pins the mechanism, and fails
if a gunicorn release changes what its hooks rely on.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import base_environ
from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
QUEUED = 5
REQUEST = b"GET /health HTTP/1.1\r\nHost: drain.test\r\nConnection: close\r\n\r\n"


def _wait_for_worker(log: Path, server: subprocess.Popen, port: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        booted = re.search(r"Booting worker with pid: (\d+)", log.read_text())
        if booted:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
                    probe.sendall(REQUEST)
                    if probe.recv(64).startswith(b"HTTP/1.1 200"):
                        return int(booted.group(1))
            except OSError:
                pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def _answer(connection: socket.socket) -> bytes:
    # Closed once read, as nginx does: gunicorn lingers until the client closes its side.
    with connection:
        connection.settimeout(20)
        chunks = []
        while chunk := connection.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def test_sigterm_answers_every_queued_connection_and_takes_no_new_one(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environ = {**os.environ, **base_environ(HOST="127.0.0.1", PORT=str(port))}
    environ.update(WEB_CONCURRENCY="1", GUNICORN_LOG_LEVEL="info")
    with log.open("wb") as output:
        server = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        worker = _wait_for_worker(log, server, port)
        os.kill(worker, signal.SIGSTOP)
        queued = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(QUEUED)]
        for connection in queued:
            connection.sendall(REQUEST)

        server.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the master has had its signal: the listener takes no new handshake
        late = socket.socket()
        late.settimeout(0.5)
        with pytest.raises(TimeoutError):
            late.connect(("127.0.0.1", port))  # neither accepted nor refused: nginx moves on
        late.close()

        os.kill(worker, signal.SIGCONT)
        answers = [_answer(connection) for connection in queued]
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers), answers
    assert f"Served {QUEUED} queued connection(s) before exiting" in log.read_text()
    # Once the last worker has gone, the port refuses at once.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
