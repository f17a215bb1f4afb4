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
import sys
import time

import pytest

from tests.support.environ import process_environ
from tests.support.servers import ServerProcess, free_port

QUEUED = 5
REQUEST = b"GET /health HTTP/1.1\r\nHost: drain.test\r\nConnection: close\r\n\r\n"


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
    environ = process_environ(
        HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_LOG_LEVEL="info"
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    server = ServerProcess(command, environ, tmp_path / "gunicorn.log")
    try:
        server.wait_for_http(f"http://127.0.0.1:{port}/health")
        worker = int(re.search(r"Booting worker with pid: (\d+)", server.output()).group(1))
        os.kill(worker, signal.SIGSTOP)
        queued = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(QUEUED)]
        for connection in queued:
            connection.sendall(REQUEST)

        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the master has had its signal: the listener takes no new handshake
        late = socket.socket()
        late.settimeout(0.5)
        with pytest.raises(TimeoutError):
            late.connect(("127.0.0.1", port))  # neither accepted nor refused: nginx moves on
        late.close()

        os.kill(worker, signal.SIGCONT)
        answers = [_answer(connection) for connection in queued]
        assert server.process.wait(timeout=30) == 0
    finally:
        server.stop(signal.SIGKILL)
    assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers), answers
    assert f"Served {QUEUED} queued connection(s) before exiting" in server.output()
    # Once the last worker has gone, the port refuses at once.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
