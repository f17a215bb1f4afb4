"""The notification pipeline seen through metrics, with real worker processes and SMTP server."""

from __future__ import annotations

import contextlib
import json
import signal
import urllib.request
from collections.abc import Callable

import pytest

from tests.support.auth import AuthActions
from tests.support.notifications import worker_environ
from tests.support.prometheus_text import total, value
from tests.support.servers import ServerProcess, free_port
from tests.support.waiting import wait_until

MAILS = 6


@pytest.fixture
def proxied(app, make_app):
    """The web app (on emptied tables) behind one trusted proxy, so X-Request-ID is kept."""
    return make_app(TRUSTED_PROXY_HOPS="1").test_client()


class Worker:
    """A `flask worker` process serving its own metrics page and logging JSON lines."""

    def __init__(self, server: ServerProcess, metrics_port: int) -> None:
        self.server = server
        self.process = server.process
        self.metrics_port = metrics_port

    def scrape(self) -> str | None:
        """The worker's own metrics page, or None while it is not listening."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.read().decode()
        except OSError:
            return None

    def json_lines(self) -> list[dict]:
        """The worker's JSON log lines (RQ's own lines are plain text)."""
        entries = []
        for line in self.server.output().splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    entries.append(entry)
        return entries


@pytest.fixture
def run_worker(smtp, start_worker) -> Callable[..., Worker]:
    """Start worker processes with a metrics port each; all are stopped at teardown."""

    def start(*args: str) -> Worker:
        port = free_port()
        environ = worker_environ(smtp, WORKER_METRICS_PORT=str(port), LOG_FORMAT="json")
        return Worker(start_worker(*args, environ=environ), port)

    return start


def register(client, n: int, request_id: str | None = None) -> None:
    headers = {"X-Request-ID": request_id} if request_id else {}
    AuthActions(client).sign_up(f"user{n}@example.com", name=f"U{n}", headers=headers)


def scrape(client) -> str:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_sent_counter_and_latency_histogram_count_every_mail_delivered(client, smtp, run_worker):
    for n in range(MAILS):
        register(client, n)
    created = value(
        scrape(client), "mentorhub_notifications_created_total", type="welcome", channel="email"
    )
    assert created == MAILS
    workers = [run_worker(), run_worker()]
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


def test_seconds_since_a_worker_was_seen_grows_once_all_workers_stop(client, run_worker):
    worker = run_worker()
    seen = "mentorhub_worker_last_seen_seconds"
    wait_until(
        lambda: value(scrape(client), "mentorhub_workers") == 1 and value(scrape(client), seen) < 5,
        60,
        "a live worker in /metrics",
    )
    worker.server.signal_group(signal.SIGKILL)
    # Whether RQ has forgotten the worker yet or not, its last heartbeat only gets older.
    first = wait_until(lambda: value(scrape(client), seen) >= 2 and value(scrape(client), seen))
    wait_until(lambda: value(scrape(client), seen) >= first + 1, 30, "the gauge to grow")


def test_queue_depth_and_oldest_pending_age_until_a_worker_drains_them(client, smtp, run_worker):
    register(client, 1)
    register(client, 2)
    page = scrape(client)
    assert total(page, "mentorhub_queue_depth") >= 1
    oldest = "mentorhub_notifications_oldest_pending_seconds"
    wait_until(lambda: value(scrape(client), oldest) >= 0.5, 30, "pending mail to age")
    run_worker("--burst").process.wait(timeout=120)
    smtp.wait_for(2)
    page = scrape(client)
    assert total(page, "mentorhub_queue_depth") == 0
    assert value(page, oldest) == 0


def test_the_delivery_log_line_carries_the_request_id(proxied, smtp, run_worker):
    register(proxied, 1, request_id="signup-trace-9")
    worker = run_worker("--burst")
    assert worker.process.wait(timeout=120) == 0
    smtp.wait_for(1)
    lines = [e for e in worker.json_lines() if e.get("request_id") == "signup-trace-9"]
    assert any("sent" in e["message"] and "welcome" in e["message"] for e in lines), (
        worker.server.output()
    )
