"""The embedded default: SQLite, memory cache and limiter, inline jobs, logged email.

This walks the README's `make run` steps with nothing but Python: no DATABASE_URL, no
REDIS_URL, no SMTP_HOST. It runs the real `flask` CLI and a real server process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.auth import AuthActions, bearer
from tests.support.booking import in_hours
from tests.support.http import LiveClient
from tests.support.servers import run_flask, start_flask_run
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow
UNSET = {"DATABASE_URL", "REDIS_URL", "SMTP_HOST", "SECRET_KEY", "MENTORHUB_ENV"}


def _environ(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(FLASK_APP="wsgi:app", INSTANCE_DIR=str(instance), RATE_LIMIT_REQUESTS="40")
    return env


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    instance = tmp_path_factory.mktemp("instance")
    env = _environ(instance)
    upgrade = run_flask(env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    seed = run_flask(env, "seed-demo", "--if-empty", "--users", "40", "--sessions", "30")
    assert seed.returncode == 0, seed.stderr
    again = run_flask(env, "seed-demo", "--if-empty")
    assert "not seeding" in again.stdout
    server, base = start_flask_run(env, instance / "server.log")
    yield base, instance
    server.stop(timeout=10)


def test_health_and_ready_without_services(embedded):
    base, _ = embedded
    assert requests.get(f"{base}/health", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{base}/ready", timeout=5).json()
    assert ready["status"] == "ready"
    assert ready["checks"]["redis"] == {"status": "skipped"}
    assert ready["checks"]["smtp"] == {"status": "skipped"}


def test_demo_data_shows_in_platform_stats(embedded):
    base, _ = embedded
    stats = requests.get(f"{base}/api/v1/stats/platform", timeout=5).json()
    assert stats["total_users"] == 40
    assert stats["total_sessions"] == 30
    assert stats["total_mentors"] + stats["total_students"] == 40
    assert stats["platform_name"] == "MentorHub"


def test_register_login_and_dashboard(embedded):
    base, _ = embedded
    auth = AuthActions(LiveClient(base))
    auth.sign_up("local@example.com", "embedded-pass", "Local")
    token = auth.sign_in("local@example.com", "embedded-pass")["access_token"]
    dashboard = requests.get(f"{base}/api/v1/stats/dashboard", headers=bearer(token), timeout=5)
    assert dashboard.status_code == 200
    assert dashboard.json()["total_sessions"] == 0


def test_demo_accounts_mail_is_written_to_the_log(embedded):
    base, instance = embedded
    auth = AuthActions(LiveClient(base))
    mentor = auth.sign_in("mentor1@demo.mentorhub.test", "mentorhub-demo")["access_token"]
    mentor_id = requests.get(f"{base}/api/v1/auth/me", headers=bearer(mentor), timeout=5).json()
    student = auth.sign_in("student1@demo.mentorhub.test", "mentorhub-demo")["access_token"]
    booked = LiveClient(base).post(
        "/api/v1/sessions",
        json={"mentor_id": mentor_id["id"], "topic": "Demo mail",
              "scheduled_time": in_hours(72).isoformat(), "duration_minutes": 30},
        headers=bearer(student),
    )  # fmt: skip
    assert booked.status_code == 201, booked.json()
    log = instance / "server.log"
    for demo in ("student1@demo.mentorhub.test", "mentor1@demo.mentorhub.test"):
        line = f"email not sent (SMTP not configured): to={demo}"
        wait_until(lambda line=line: line in log.read_text(), 10, line)
    assert "email refused" not in log.read_text()


def test_memory_rate_limiter_answers_429_with_the_spec_body(embedded):
    base, _ = embedded
    statuses = []
    for _ in range(60):
        response = requests.get(f"{base}/api/v1/stats/platform", timeout=5)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429
    assert response.json() == {
        "status_code": 429,
        "message": "Too many requests. Please try again later.",
    }
    assert response.headers["X-RateLimit-Limit"] == "40"
    assert "Retry-After" in response.headers
    assert requests.get(f"{base}/health", timeout=5).status_code == 200
