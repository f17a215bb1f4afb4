"""Servers a test or benchmark starts on loopback: a free port, the process, waiting for it.

A server runs from the repository root (or another checkout) in a session of its own, so its
whole process group can be signalled the way a crash or a supervisor would, and stopping it
leaves nothing behind. With a log file it writes everything there; without one its output is
dropped and its errors reach the terminal. `wait_for_http` fails at once, with the log, when the
process exits instead of answering.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of a GET on `url`, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def flask_command(*args: str) -> list[str]:
    """`flask <args>` with this interpreter (FLASK_APP comes from the environment)."""
    return [sys.executable, "-m", "flask", *args]


def run_flask(
    environ: Mapping[str, str], *args: str, timeout: float | None = 180.0, capture: bool = True
) -> subprocess.CompletedProcess:
    """Run `flask <args>` to its end from the repository root; its output as text if `capture`."""
    return subprocess.run(
        flask_command(*args),
        cwd=ROOT,
        env=dict(environ),
        capture_output=capture,
        text=True,
        timeout=timeout,
    )


def gunicorn_command(port: int, *args: str, app: str = "wsgi:app") -> list[str]:
    """gunicorn serving `app` on 127.0.0.1:`port`, with these extra settings."""
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *args, app]


class ServerProcess:
    """One server process (gunicorn, `flask run`, `flask worker`, boot.sh) in its own session."""

    def __init__(
        self,
        command: Sequence[str],
        environ: Mapping[str, str],
        log: Path | None = None,
        name: str | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.command = list(command)
        self.log = log
        self.name = name or (log.stem if log else Path(self.command[0]).name)
        output = log.open("w") if log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.command,
                cwd=cwd,
                env=dict(environ),
                stdout=output,
                stderr=subprocess.STDOUT if log else None,
                start_new_session=True,
            )
        finally:
            if log:
                output.close()
        self.pid = self.process.pid

    def wait_for_http(self, url: str, timeout: float = 60.0) -> ServerProcess:
        """Wait until a GET on `url` answers 200; returns self."""

        def answers() -> bool:
            self._fail_if_exited(f"answering {url}")
            return http_status(url) == 200

        wait_until(answers, timeout, f"{url} to answer 200", lambda: self.output()[-3000:])
        return self

    def wait_for_port(self, port: int, timeout: float = 30.0) -> ServerProcess:
        """Wait until something accepts connections on 127.0.0.1:`port` (not HTTP); returns self."""

        def accepts() -> bool:
            self._fail_if_exited(f"listening on {port}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
            return True

        wait_until(accepts, timeout, f"a listener on port {port}", lambda: self.output()[-3000:])
        return self

    def _fail_if_exited(self, instead_of: str) -> None:
        if self.process.poll() is not None:
            raise AssertionError(
                f"{' '.join(self.command)} exited with {self.process.returncode}"
                f" instead of {instead_of}\n{self.output()[-3000:]}"
            )

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def group_gone(self) -> bool:
        """Whether nothing of its process group is left (no orphaned child)."""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return True
        return False

    def signal_group(self, number: int) -> None:
        """Send a signal to the process and everything it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, number)

    def sigkill(self) -> None:
        """SIGKILL the process alone, as the kernel's OOM killer or a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self, number: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        """Send `number` (SIGTERM: a graceful stop), wait, then SIGKILL whatever is left."""
        if self.alive():
            self.process.send_signal(number)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        self.signal_group(signal.SIGKILL)
        self.process.wait(timeout=20)

    def output(self) -> str:
        """What the process wrote to its log (empty without one)."""
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")


def start_flask_run(
    environ: Mapping[str, str], log: Path, port: int | None = None
) -> tuple[ServerProcess, str]:
    """`flask run`, as `make run` serves, on `port` (a free one by default), once it answers.

    Returns the process and its base URL.
    """
    port = port or free_port()
    command = flask_command("run", "--host", "127.0.0.1", "--port", str(port))
    base_url = f"http://127.0.0.1:{port}"
    return ServerProcess(command, environ, log).wait_for_http(f"{base_url}/health"), base_url
