"""A logout served by one gunicorn process is honoured by another on its very next request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import TEST_SECRET
from tests.support.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def _gunicorn(tmp_path: Path, name: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "MENTORHUB_ENV": "testing",
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": TEST_SECRET,
        # As production runs: the revocation keys ride on the limiter's round trip.
        "RATE_LIMIT_ENABLED": "true",
        "RATE_LIMIT_REQUESTS": "100000",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{name}"),
    }
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{base}/health", timeout=1)
            return
        except requests.ConnectionError:
            assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)


@pytest.fixture
def two_servers(app, student, tmp_path) -> Iterator[tuple[str, str]]:
    """Two single-worker gunicorn servers on the suite's database and Redis."""
    servers = [_gunicorn(tmp_path, name) for name in ("one", "other")]
    try:
        for process, base in servers:
            _wait(process, base)
        yield servers[0][1], servers[1][1]
    finally:
        for process, _ in servers:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing in flight
            process.wait(timeout=30)


def _sign_in(base: str, email: str) -> dict:
    response = requests.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": "password123"}, timeout=10
    )
    assert response.status_code == 200
    return response.json()


def _status(base: str, method: str, path: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, f"{base}{path}", headers=headers, timeout=10).status_code


@pytest.mark.slow
def test_logout_and_logout_all_in_one_process_hold_in_another_at_once(two_servers, student):
    one, other = two_servers
    tokens = _sign_in(one, student.email)
    assert _status(other, "GET", "/api/v1/auth/me", tokens["access_token"]) == 200

    assert _status(one, "POST", "/api/v1/auth/logout", tokens["access_token"]) == 200
    assert _status(other, "GET", "/api/v1/auth/me", tokens["access_token"]) == 401
    assert _status(other, "POST", "/api/v1/auth/refresh", tokens["refresh_token"]) == 401

    first, second = _sign_in(other, student.email), _sign_in(one, student.email)
    assert _status(one, "POST", "/api/v1/auth/logout-all", first["access_token"]) == 200
    for token in (first["access_token"], second["access_token"]):
        assert _status(other, "GET", "/api/v1/stats/dashboard", token) == 401
    assert (
        _status(other, "GET", "/api/v1/auth/me", _sign_in(other, student.email)["access_token"])
        == 200
    )
