"""A redis-server of a test's or benchmark's own, which it may kill, restart, freeze or thaw.

Outage tests and benchmarks kill or freeze this one, never the machine's shared Redis.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import redis

from tests.support.servers import free_port
from tests.support.waiting import wait_until


class PrivateRedis:
    """A redis-server on a free loopback port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        """Start (or restart) the server on the same port and wait until it answers."""
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        probe = redis.Redis(port=self.port, socket_timeout=1)
        try:
            wait_until(lambda: self._answers(probe), 20, f"redis-server on port {self.port}")
        finally:
            probe.close()
        return self

    def _answers(self, probe: redis.Redis) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server on port {self.port} exited at start")
        try:
            return probe.ping()
        except redis.ConnectionError:
            return False

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
