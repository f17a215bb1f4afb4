"""The MentorHub processes of a chaos run: gunicorn and `flask worker`, each in its own session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from _chaos_servers import ROOT


class Process:
    """A MentorHub process (gunicorn or `flask worker`) in its own session, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.process.pid

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

    def sigkill(self) -> None:
        """SIGKILL the process alone, as the kernel's OOM killer or a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        """SIGTERM the group, then SIGKILL whatever is left."""
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            if self.group_gone():
                return

    def output(self) -> str:
        """What the process logged."""
        return self.log.read_text(errors="replace")


def gunicorn(env: dict, log_dir: Path) -> Process:
    """The web server as deployed: gunicorn.conf.py, two sync workers."""
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    return Process("web", command, env, log_dir)


def flask_worker(name: str, env: dict, log_dir: Path) -> Process:
    """One `flask worker` (with its scheduler thread and sweep)."""
    command = [sys.executable, "-m", "flask", "worker", "--name", name]
    return Process(name, command, env, log_dir)


def migrate(env: dict) -> None:
    """`flask db upgrade` on the run's database."""
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
