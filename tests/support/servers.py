"""Throwaway servers for tests: free loopback ports and private redis-server processes.

Outage tests kill or freeze these, never the machine's shared Redis.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import redis


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, which it may kill, restart, freeze or thaw."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start (or restart) the server on the same port and wait until it answers."""
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        probe = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 20
        try:
            while True:
                try:
                    probe.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise
                    time.sleep(0.05)
        finally:
            probe.close()

    def kill(self) -> None:
        """Stop the server abruptly: connections are refused from now on."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=20)

    def freeze(self) -> None:
        """Make the server hang: connections open but nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """Let a frozen server answer again."""
        os.kill(self.process.pid, signal.SIGCONT)

    def client(self) -> redis.Redis:
        """A direct client, to look behind the application's back."""
        return redis.Redis(port=self.port, socket_timeout=5)
