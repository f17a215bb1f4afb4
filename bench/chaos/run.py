"""One chaos run's servers and the faults done to them: who is killed, restarted, and when."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import threading
import time
from pathlib import Path

from bench.common.production import production_environ
from tests.support.databases import Database
from tests.support.redis_server import PrivateRedis
from tests.support.servers import ServerProcess, flask_command, free_port, run_flask
from tests.support.smtp import MailSink
from tests.support.waiting import wait_until
from tests.support.workers import wait_for_workers

OUTAGE = 30.0
# The server whose maintenance database the run's own database is created from.
SERVER_URL = os.environ.get("CHAOS_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class Run:
    """The servers of one run, the faults done to them, and when."""

    def __init__(self, args: argparse.Namespace, log_dir: Path) -> None:
        self.args, self.log_dir = args, log_dir
        name = f"mentorhub_chaos_{os.getpid()}_{secrets.token_hex(3)}"
        self.db = Database(f"{SERVER_URL.rsplit('/', 1)[0]}/{name}")
        self.redis, self.smtp = PrivateRedis(), MailSink(keep_messages=False)
        # Each message takes this long to be accepted, so workers spend real time mid-batch.
        self.smtp.delay = args.smtp_delay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(32)
        self.web: ServerProcess | None = None
        self.workers: dict[str, ServerProcess] = {}
        self.killed: list[ServerProcess] = []
        self.events: list[tuple[float, str]] = []
        self.t0 = time.monotonic()

    def env(self, application: str) -> dict[str, str]:
        """A production environment on this run's database, Redis and SMTP server."""
        return production_environ(
            f"{self.db.url}?application_name={application}",
            self.redis.url,
            PROMETHEUS_MULTIPROC_DIR=None,
            EMAIL_BACKEND=None,
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(self.smtp.port),
            PUBLIC_BASE_URL="https://mentorhub.example",
            SECRET_KEY=self.secret,
            RATE_LIMIT_ENABLED="false",
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
            LOG_LEVEL="INFO",
        )

    def worker(self, name: str) -> ServerProcess:
        """Start one `flask worker` (with its scheduler thread and sweep)."""
        command = flask_command("worker", "--name", name)
        return ServerProcess(command, self.env("chaos-worker"), self.log_dir / f"{name}.log")

    def start(self) -> None:
        """Database, Redis, SMTP, migrations, then the web server and two workers."""
        self.db.create()
        self.redis.start()
        self.smtp.start()
        run_flask(self.env("chaos-web"), "db", "upgrade", timeout=120).check_returncode()
        # The web server as deployed: gunicorn.conf.py, two sync workers.
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
        self.web = ServerProcess(command, self.env("chaos-web"), self.log_dir / "web.log")
        self.web.wait_for_http(self.url + "/health")
        for name in ("worker-a", "worker-b"):
            self.workers[name] = self.worker(name)
        wait_for_workers(self.redis.client(), 2)

    def note(self, what: str) -> None:
        """Record a fault (or its end) at the current time."""
        at = time.monotonic() - self.t0
        self.events.append((at, what))
        print(f"  t={at:6.1f}s  {what}", flush=True)

    def terminate_backends(self) -> None:
        """pg_terminate_backend on every web and worker connection."""
        count = self.db.terminate(["chaos-web", "chaos-worker"])
        self.note(f"terminated {count} database backends")

    def kill_worker(self, name: str) -> None:
        """SIGKILL a worker, preferably while it holds a batch; start a replacement."""
        victim = self.workers.pop(name)
        holding = self._wait_for_claim(victim.pid, 10.0)
        state = "alive" if victim.alive() else "ALREADY DEAD"
        warnings = victim.output().count("Redis unreachable")
        victim.sigkill()
        self.killed.append(victim)
        self.note(
            f"SIGKILLed {name} (pid {victim.pid}, was {state}, {warnings} Redis outage"
            f" warning(s)) holding {holding} claimed rows"
        )
        time.sleep(2)
        replacement = f"{name}-2"
        self.workers[replacement] = self.worker(replacement)
        self.note(f"started {replacement}")

    def _wait_for_claim(self, pid: int, timeout: float) -> int:
        # A worker is killed mid-batch when it can be: that is where a crash costs the most.
        held = "SELECT count(*) FROM notifications WHERE status = 'sending' AND claimed_by LIKE %s"
        try:
            return wait_until(
                lambda: self.db.execute(held, params=(f"%:{pid}",))[0][0], timeout, step=0.05
            )
        except AssertionError:
            return 0

    def stop(self) -> None:
        """Stop every process and server; drop the database."""
        for process in [*self.workers.values(), *([self.web] if self.web else [])]:
            process.stop()
        self.redis.kill()
        self.smtp.stop()
        self.db.drop()


def timeline(run: Run, duration: float) -> list[tuple[float, object]]:
    """When each fault starts, as fractions of the load's duration."""

    def redis_outage() -> None:
        run.redis.kill()
        run.note("Redis SIGKILLed")
        time.sleep(OUTAGE)
        run.redis.start()
        run.note("Redis restarted (empty)")

    def smtp_outage() -> None:
        run.smtp.stop()
        run.note("SMTP stopped")
        time.sleep(OUTAGE)
        run.smtp.start()
        run.note("SMTP restarted")

    plan = [
        (0.07, run.terminate_backends),
        (0.13, redis_outage),
        (0.39, run.terminate_backends),
        (0.45, smtp_outage),
        (0.56, run.terminate_backends),
        (0.72, lambda: run.kill_worker("worker-a")),
        (0.81, run.terminate_backends),
        (0.88, lambda: run.kill_worker("worker-b")),
    ]
    return [(fraction * duration, action) for fraction, action in plan]


def run_faults(run: Run, duration: float) -> None:
    """Start each fault at its time, in its own thread (outages overlap later faults)."""
    threads = []
    for at, action in timeline(run, duration):
        time.sleep(max(0.0, run.t0 + at - time.monotonic()))
        thread = threading.Thread(target=action, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
