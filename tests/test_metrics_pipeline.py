"""The notification pipeline seen through metrics, with real worker processes and SMTP server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from tests.support.gunicorn import total, value
from tests.support.notifications import ROOT, MailSink, wait_until, worker_environ
from tests.support.servers import free_port

MAILS = 6


@pytest.fixture
def proxied(app, make_app):
    """The web app (on emptied tables) behind one trusted proxy, so X-Request-ID is kept."""
    return make_app(TRUSTED_PROXY_HOPS="1").test_client()


class Worker:
    """A `flask worker` process (its own process group), logging JSON to a file."""

    def __init__(self, smtp: MailSink, log_path, *args: str) -> None:
        self.metrics_port = free_port()
        self.log_path = log_path
        environ = worker_environ(
            smtp, WORKER_METRICS_PORT=str(self.metrics_port), LOG_FORMAT="json"
        )
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "worker", *args],
                cwd=ROOT,
                env=environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def scrape(self) -> str | None:
        """The worker's own metrics page, or None while it is not listening."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.read().decode()
        except OSError:
            return None

    def stop(self, warm: bool = True) -> None:
        """Warm shutdown, as a supervisor would do it (SIGKILL if it hangs), or a crash."""
        if warm and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        # The whole group: RQ's scheduler child goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def json_lines(self) -> list[dict]:
        """The worker's JSON log lines (RQ's own lines are plain text)."""
        entries = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    entries.append(entry)
        return entries


@pytest.fixture
def start_worker(smtp, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start worker processes; all are stopped at teardown."""
    started: list[Worker] = []

    def start(*args: str) -> Worker:
        worker = Worker(smtp, tmp_path / f"worker-{len(started)}.log", *args)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def register(client, n: int, request_id: str | None = None) -> None:
    headers = {"X-Request-ID": request_id} if request_id else {}
    answer = client.post(
        "/api/v1/auth/register",
        json={"email": f"user{n}@example.com", "password": "long-enough-1", "name": f"U{n}"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.json


def scrape(client) -> str:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_sent_counter_and_latency_histogram_count_every_mail_delivered(client, smtp, start_worker):
    for n in range(MAILS):
        register(client, n)
    created = value(
        scrape(client), "mentorhub_notifications_created_total", type="welcome", channel="email"
    )
    assert created == MAILS
    workers = [start_worker(), start_worker()]
    smtp.wait_for(MAILS)

    def sent_over_workers() -> float:
        pages = [worker.scrape() for worker in workers]
        return sum(total(p, "mentorhub_notifications_sent_total") for p in pages if p)

    wait_until(lambda: sent_over_workers() == MAILS, 30, f"{MAILS} sends counted")
    pages = [worker.scrape() for worker in workers]
    welcome = {"type": "welcome", "channel": "email"}
    assert (
        sum(value(p, "mentorhub_notifications_sent_total", **welcome) or 0 for p in pages) == MAILS
    )
    latency = "mentorhub_notification_delivery_seconds_count"
    assert sum(value(p, latency, **welcome) or 0 for p in pages) == MAILS
    assert sum(total(p, "mentorhub_smtp_connections_total") for p in pages) == MAILS

    def jobs_finished() -> float:
        pages = [worker.scrape() for worker in workers]
        return sum(total(p, "mentorhub_worker_jobs_total", outcome="finished") for p in pages if p)

    # A job is counted once RQ has finished its bookkeeping, a moment after its last send.
    wait_until(lambda: jobs_finished() >= 1, 30, "a finished job counted")
    assert sum(total(p, "mentorhub_notifications_failed_total") for p in pages) == 0


def test_seconds_since_a_worker_was_seen_grows_once_all_workers_stop(client, start_worker):
    worker = start_worker()
    seen = "mentorhub_worker_last_seen_seconds"
    wait_until(
        lambda: value(scrape(client), "mentorhub_workers") == 1 and value(scrape(client), seen) < 5,
        60,
        "a live worker in /metrics",
    )
    worker.stop(warm=False)
    # Whether RQ has forgotten the worker yet or not, its last heartbeat only gets older.
    first = wait_until(lambda: value(scrape(client), seen) >= 2 and value(scrape(client), seen))
    wait_until(lambda: value(scrape(client), seen) >= first + 1, 30, "the gauge to grow")


def test_queue_depth_and_oldest_pending_age_until_a_worker_drains_them(client, smtp, start_worker):
    register(client, 1)
    register(client, 2)
    page = scrape(client)
    assert total(page, "mentorhub_queue_depth") >= 1
    oldest = "mentorhub_notifications_oldest_pending_seconds"
    wait_until(lambda: value(scrape(client), oldest) >= 0.5, 30, "pending mail to age")
    start_worker("--burst").process.wait(timeout=120)
    smtp.wait_for(2)
    page = scrape(client)
    assert total(page, "mentorhub_queue_depth") == 0
    assert value(page, oldest) == 0


def test_the_delivery_log_line_carries_the_request_id(proxied, smtp, start_worker):
    register(proxied, 1, request_id="signup-trace-9")
    worker = start_worker("--burst")
    assert worker.process.wait(timeout=120) == 0
    smtp.wait_for(1)
    lines = [e for e in worker.json_lines() if e.get("request_id") == "signup-trace-9"]
    assert any("sent" in e["message"] and "welcome" in e["message"] for e in lines), (
        worker.log_path.read_text()
    )
