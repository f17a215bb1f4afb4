"""One chaos run's servers and the faults done to them: who is killed, restarted, and when."""

from __future__ import annotations

import argparse
import os
import secrets
import threading
import time
from pathlib import Path

import requests
from _chaos_procs import Process, flask_worker, gunicorn, migrate
from _chaos_servers import Database, MailCounter, RedisServer, free_port, wait_for

OUTAGE = 30.0


class Run:
    """The servers of one run, the faults done to them, and when."""

    def __init__(self, args: argparse.Namespace, log_dir: Path) -> None:
        self.args, self.log_dir = args, log_dir
        self.db = Database(f"mentorhub_chaos_{os.getpid()}_{secrets.token_hex(3)}")
        self.redis, self.smtp = RedisServer(), MailCounter(delay=args.smtp_delay)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web: Process | None = None
        self.workers: dict[str, Process] = {}
        self.killed: list[Process] = []
        self.events: list[tuple[float, str]] = []
        self.t0 = time.monotonic()

    def env(self, application: str) -> dict[str, str]:
        """A production environment on this run's database, Redis and SMTP server."""
        environ = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        environ.update(
            MENTORHUB_ENV="production",
            FLASK_APP="wsgi:app",
            DATABASE_URL=f"{self.db.url}?application_name={application}",
            REDIS_URL=self.redis.url,
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
        return environ

    def start(self) -> None:
        """Database, Redis, SMTP, migrations, then the web server and two workers."""
        self.secret = secrets.token_hex(32)
        self.db.create()
        self.redis.start()
        self.smtp.start()
        migrate(self.env("chaos-web"))
        self.web = gunicorn(self.env("chaos-web"), self.log_dir)
        wait_for(self._web_answers, 60, "gunicorn to answer /health")
        for name in ("worker-a", "worker-b"):
            self.workers[name] = flask_worker(name, self.env("chaos-worker"), self.log_dir)
        wait_for(lambda: self.redis.worker_count() >= 2, 60, "two workers to register")

    def _web_answers(self) -> bool:
        if not self.web.alive():
            raise SystemExit(f"gunicorn exited:\n{self.web.output()[-3000:]}")
        try:
            return requests.get(self.url + "/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

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
        self.workers[replacement] = flask_worker(
            replacement, self.env("chaos-worker"), self.log_dir
        )
        self.note(f"started {replacement}")

    def _wait_for_claim(self, pid: int, timeout: float) -> int:
        # A worker is killed mid-batch when it can be: that is where a crash costs the most.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            held = self.db.query(
                "SELECT count(*) FROM notifications WHERE status = 'sending'"
                " AND claimed_by LIKE %s",
                (f"%:{pid}",),
            )[0][0]
            if held:
                return held
            time.sleep(0.05)
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
