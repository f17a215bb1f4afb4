"""Liveness and readiness probes, including dependencies that are down or hang."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from tests.local_servers import free_port


def test_health_is_ok_without_touching_dependencies(make_app):
    # A database URL that cannot connect proves /health makes no dependency call.
    app = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", REDIS_URL="")
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.fixture
def smtp_port() -> Iterator[int]:
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_ready_reports_every_configured_dependency(make_app, smtp_port):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), SMTP_USE_TLS="false")
    response = app.test_client().get("/ready")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    for name in ("database", "redis", "smtp"):
        assert body["checks"][name]["status"] == "up"
        assert body["checks"][name]["latency_ms"] >= 0


def test_unconfigured_checks_are_skipped(make_app):
    app = make_app(REDIS_URL="")
    body = app.test_client().get("/ready").get_json()
    assert body["checks"]["redis"] == {"status": "skipped"}
    assert body["checks"]["smtp"] == {"status": "skipped"}
    assert body["checks"]["database"]["status"] == "up"


def test_refused_dependencies_make_it_not_ready(make_app):
    port = free_port()
    app = make_app(
        SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), REDIS_URL=f"redis://127.0.0.1:{port}/0"
    )
    response = app.test_client().get("/ready")
    body = response.get_json()
    assert response.status_code == 503
    assert body["status"] == "not_ready"
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["smtp"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "up"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_ready_answers_within_three_seconds_when_everything_hangs(make_app, silent_server):
    url = f"redis://127.0.0.1:{silent_server}/0"
    app = make_app(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{silent_server}/hang",
        REDIS_URL=url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(silent_server),
        REDIS_SOCKET_TIMEOUT="5",
    )
    started = time.monotonic()
    response = app.test_client().get("/ready")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 3.5
    checks = response.get_json()["checks"]
    assert {checks[name]["status"] for name in ("database", "redis", "smtp")} == {"down"}
