"""Liveness and readiness probes against real dependencies that are up, down or hanging."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from mentorhub.cli.health import ready as ready_command
from tests.support.servers import free_port
from tests.support.smtp import MailSink
from tests.support.workers import run_burst

DEAD_DATABASE = "postgresql://nobody@127.0.0.1:1/none"


def _ready(app, query: str = ""):
    response = app.test_client().get(f"/ready{query}")
    return response.status_code, response.get_json()


@pytest.fixture
def smtp_server() -> Iterator[MailSink]:
    server = MailSink().start()
    yield server
    server.stop()


def _with_worker_heartbeat(app) -> None:
    # One burst of the real worker records its heartbeat, as a running worker does.
    run_burst(app, "--no-scheduler")


def test_health_is_ok_without_touching_dependencies(make_app):
    # A database URL that cannot connect proves /health makes no dependency call.
    app = make_app(DATABASE_URL=DEAD_DATABASE, REDIS_URL="")
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_every_dependency_is_up(make_app, smtp_server):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_USE_TLS="false")
    _with_worker_heartbeat(app)
    status, body = _ready(app, "?strict=1")
    assert status == 200, body
    assert body["status"] == "ready"
    for name in ("database", "redis", "smtp", "queue", "worker"):
        assert body["checks"][name]["status"] == "up", name
        assert body["checks"][name]["latency_ms"] >= 0
    assert body["checks"]["queue"]["depth"] == 0
    assert smtp_server.noops == 1


def test_a_worker_without_heartbeat_degrades(make_app):
    status, body = _ready(make_app())
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["worker"] == {
        "status": "down",
        "error": "no worker heartbeat",
        "latency_ms": body["checks"]["worker"]["latency_ms"],
    }


def test_unconfigured_checks_are_skipped(make_app):
    status, body = _ready(make_app(REDIS_URL=""))
    assert status == 200
    assert body["status"] == "ready"
    for name in ("redis", "smtp", "queue", "worker"):
        assert body["checks"][name] == {"status": "skipped"}
    assert body["checks"]["database"]["status"] == "up"


def test_dead_redis_degrades_but_keeps_serving(make_app, private_redis, smtp_server):
    app = make_app(
        REDIS_URL=private_redis.url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        SMTP_USE_TLS="false",
        HEALTH_CACHE_SECONDS="0",
    )
    _with_worker_heartbeat(app)
    assert _ready(app)[1]["status"] == "ready"
    private_redis.kill()
    status, body = _ready(app)
    assert (status, body["status"]) == (200, "degraded")
    assert {body["checks"][name]["status"] for name in ("redis", "queue", "worker")} == {"down"}
    assert body["checks"]["database"]["status"] == "up"
    assert body["checks"]["smtp"]["status"] == "up"
    assert _ready(app, "?strict=1")[0] == 503


def test_dead_smtp_degrades_but_keeps_serving(make_app, smtp_server):
    app = make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        SMTP_USE_TLS="false",
        HEALTH_CACHE_SECONDS="0",
    )
    _with_worker_heartbeat(app)
    assert _ready(app)[1]["checks"]["smtp"]["status"] == "up"
    smtp_server.stop()
    status, body = _ready(app)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["smtp"]["status"] == "down"
    assert body["checks"]["smtp"]["error"] == "ConnectionRefusedError"
    assert _ready(app, "?strict=1")[0] == 503


def test_smtp_is_skipped_when_mail_is_only_logged(make_app, smtp_server):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), EMAIL_BACKEND="log")
    assert _ready(app)[1]["checks"]["smtp"] == {"status": "skipped"}
    assert smtp_server.noops == 0


def test_ready_command_requires_the_checks_it_is_given(make_app):
    app = make_app(HEALTH_CACHE_SECONDS="0")
    runner = app.test_cli_runner()
    result = runner.invoke(ready_command, ["--require", "redis", "--require", "worker"])
    assert result.exit_code == 1
    assert '"worker": {"error": "no worker heartbeat"' in result.output
    _with_worker_heartbeat(app)
    result = runner.invoke(ready_command, ["--require", "redis", "--require", "worker"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(ready_command, ["--require", "nonsense"]).exit_code == 2


def test_dead_database_makes_it_not_ready(make_app):
    status, body = _ready(make_app(DATABASE_URL=DEAD_DATABASE, REDIS_URL=""))
    assert (status, body["status"]) == (503, "not_ready")
    assert body["checks"]["database"]["status"] == "down"


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
    app = make_app(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{silent_server}/hang",
        REDIS_URL=f"redis://127.0.0.1:{silent_server}/0",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(silent_server),
        REDIS_SOCKET_TIMEOUT="5",
    )
    started = time.monotonic()
    status, body = _ready(app)
    assert time.monotonic() - started < 3.5
    assert (status, body["status"]) == (503, "not_ready")
    assert {body["checks"][name]["status"] for name in ("database", "redis", "smtp")} == {"down"}


def test_refused_ports_are_down_not_errors(make_app):
    port = free_port()
    status, body = _ready(
        make_app(
            SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), REDIS_URL=f"redis://127.0.0.1:{port}/0"
        )
    )
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["smtp"]["status"] == "down"
    assert body["checks"]["redis"]["status"] == "down"
