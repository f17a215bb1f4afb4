"""The image, built and run as docs/deploy.md says, against the host's PostgreSQL and Redis.

The shell block under "Build and run the image" runs as written, with four substitutions
only: the test's own image tag, container names, env file, and (through that file) ports.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
import requests

from tests.infra.processes import PUBLIC_BASE_URL
from tests.infra.traffic import register_pair
from tests.support.docker_context import (
    IMAGE_NEEDS,
    WORKING_COPY_JUNK,
    context_files,
    write_working_copy,
)
from tests.support.environ import TEST_SECRET
from tests.support.run_resources import RUN_ID
from tests.support.servers import ROOT, free_port, http_status
from tests.support.waiting import wait_until

DOC = ROOT / "docs" / "deploy.md"
SECTION = re.compile(r"^### Build and run the image\n(.*?)(?=^#{2,3} )", re.S | re.M)
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
TAG = f"localhost/mentorhub:infra-{RUN_ID}"
NAMES = {"mentorhub-web": f"mh-{RUN_ID}-web", "mentorhub-worker": f"mh-{RUN_ID}-worker"}
APP_USER = "10001"
STOP_GRACE = 40
CONTAINERS_CONF = ROOT / "deploy" / "container" / "containers.conf"


def documented_commands(env_file: Path) -> list[str]:
    """The block's commands, one a line, with the test's tag, names and env file."""
    section = SECTION.search(DOC.read_text())
    assert section, "docs/deploy.md has no '### Build and run the image' section"
    block = SHELL_BLOCK.search(section.group(1))
    assert block, "the section has no sh block"
    commands = []
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        line = line.replace("make image", f"make image IMAGE={TAG}")
        line = line.replace("mentorhub:local", TAG).replace("production.env", str(env_file))
        for documented, ours in NAMES.items():
            line = re.sub(rf"\b{documented}\b", ours, line)
        commands.append(line)
    return commands


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run podman with the repository's containers.conf; fail the test on an error if `check`."""
    result = subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, env=_environ()
    )
    assert not check or result.returncode == 0, f"podman {args}: {result.stderr}"
    return result


def _environ() -> dict[str, str]:
    # The export line of the documented block, and buildah even where a Docker daemon runs:
    # podman runs what buildah built.
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF), "BUILDER": "buildah"}


def _shell(command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, shell=True, cwd=ROOT, env=_environ(), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def _main_process_uid(container: str) -> str:
    status = podman("exec", container, "cat", "/proc/1/status").stdout
    return re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)


def _wait_for_health(base_url: str) -> None:
    wait_until(lambda: http_status(f"{base_url}/health") == 200, 90, f"{base_url}/health")


def _healthy(container: str) -> bool:
    return podman("healthcheck", "run", container, check=False, timeout=60).returncode == 0


@pytest.fixture
def env_file(tmp_path, database_url, redis_url, smtp) -> Path:
    """The containers' settings: the scratch database, the run's Redis db, the test's SMTP."""
    path = tmp_path / "production.env"
    settings = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": TEST_SECRET,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_USE_TLS": "false",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
    }
    path.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return path


@pytest.fixture
def cleanup():
    """Remove the test's containers and image, whatever happened."""
    yield
    podman("rm", "--force", "--time", "0", *NAMES.values(), f"mh-{RUN_ID}-other", check=False)
    podman("rmi", "--force", TAG, check=False)


def test_the_documented_commands_build_and_run_every_role(env_file, database_url, smtp, cleanup):
    steps = documented_commands(env_file)
    build, export, migrate, web, worker, web_health, worker_health, stop = steps
    assert build == f"make image IMAGE={TAG}"
    assert export == f"export CONTAINERS_CONF={CONTAINERS_CONF.relative_to(ROOT)}"
    port = re.search(r"^PORT=(\d+)$", env_file.read_text(), re.M).group(1)
    web_name, worker_name = NAMES.values()

    built = _shell(build, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    inspected = podman("image", "inspect", TAG, "--format", "{{json .Config}}").stdout
    assert '"User":"10001:10001"' in inspected
    assert '"StopSignal":"SIGTERM"' in inspected
    health = podman("image", "inspect", TAG, "--format", "{{json .HealthCheck}}").stdout
    assert '"Test":["CMD","./boot.sh","health"]' in health

    # migrate: the schema appears in the empty database, and the container is gone.
    migrated = _shell(migrate)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    with psycopg.connect(database_url) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"alembic_version", "users", "mentor_sessions", "notifications"} <= tables

    # web, on a read-only root: health, readiness, and an API flow.
    started_web = _shell(web)
    assert started_web.returncode == 0, started_web.stderr
    base_url = f"http://127.0.0.1:{port}"
    _wait_for_health(base_url)
    assert requests.get(f"{base_url}/ready", timeout=10).status_code == 200
    pair = register_pair(base_url)
    headers = {"Authorization": f"Bearer {pair.student_token}"}
    when = time.strftime("%Y-%m-%dT15:00:00+00:00", time.gmtime(time.time() + 7 * 86400))
    booking = {"mentor_id": pair.mentor_id, "topic": "Deploy day", "scheduled_time": when}
    booked = requests.post(f"{base_url}/api/v1/sessions", json=booking, headers=headers, timeout=30)
    assert booked.status_code == 201, booked.text
    dashboard = requests.get(f"{base_url}/api/v1/stats/dashboard", headers=headers, timeout=30)
    assert dashboard.status_code == 200

    # worker: it mails the booking web stored to both people.
    started_worker = _shell(worker)
    assert started_worker.returncode == 0, started_worker.stderr
    wait_until(
        lambda: (
            {pair.student_email, pair.mentor_email}
            <= {m["To"] for m in smtp.messages if "Deploy day" in m["Subject"]}
        ),
        timeout=90,
        what="the booking's confirmation mails",
    )

    for container in (web_name, worker_name):
        assert _main_process_uid(container) == APP_USER
    web_log = podman("logs", web_name).stdout + podman("logs", web_name).stderr
    assert "control socket" not in web_log.lower(), web_log[-3000:]

    wait_until(lambda: _healthy(web_name), timeout=60, what="the web health check")
    assert web_health.endswith(f"healthcheck run {web_name}")
    assert _shell(web_health).returncode == 0

    # The web server stops gracefully well within the grace period...
    started = time.monotonic()
    podman("stop", "--time", str(STOP_GRACE), web_name, timeout=STOP_GRACE + 30)
    assert time.monotonic() - started < STOP_GRACE / 2
    assert podman("inspect", web_name, "--format", "{{.State.ExitCode}}").stdout.strip() == "0"

    # ...and the worker's health check needs no web server: it looks at the worker itself.
    wait_until(lambda: _healthy(worker_name), timeout=60, what="the worker health check")
    assert worker_health.endswith(f"healthcheck run {worker_name}")
    assert _shell(worker_health).returncode == 0

    started = time.monotonic()
    assert _shell(stop, timeout=STOP_GRACE + 30).returncode == 0
    assert time.monotonic() - started < STOP_GRACE / 2
    assert podman("inspect", worker_name, "--format", "{{.State.ExitCode}}").stdout.strip() == "0"

    # Under another uid, with no home of its own, the web role starts just the same.
    other_port = str(free_port())
    podman(
        "run", "-d", "--name", f"mh-{RUN_ID}-other", "--network", "host", "--read-only",
        "--tmpfs", "/tmp", "--user", "4242:4242", "--env-file", str(env_file),
        "-e", f"PORT={other_port}", TAG, "web",
    )  # fmt: skip
    _wait_for_health(f"http://127.0.0.1:{other_port}")
    other_log = podman("logs", f"mh-{RUN_ID}-other").stderr
    assert "control socket" not in other_log.lower(), other_log[-3000:]


def test_the_builder_sends_the_context_dockers_rules_give(tmp_path, cleanup):
    """buildah builds a context of junk and app files; what it copies is what our rules keep."""
    context = tmp_path / "context"
    context.mkdir()
    write_working_copy(context)
    dockerfile = tmp_path / "Dockerfile"
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    dockerfile.write_text(f"FROM docker.io/library/{base}\nCOPY . /context/\n")
    tag = f"{TAG}-context"
    built = subprocess.run(
        ["buildah", "bud", "--format", "docker", "--isolation", "chroot", "--network", "host",
         "-f", str(dockerfile), "--tag", tag, str(context)],
        capture_output=True, text=True, timeout=300, env=_environ(),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    try:
        listed = podman("run", "--rm", tag, "find", "/context", "-type", "f").stdout.split()
    finally:
        podman("rmi", "--force", tag, check=False)
    copied = {path.removeprefix("/context/") for path in listed}
    assert copied == context_files(context)
    assert not copied & set(WORKING_COPY_JUNK)
    assert set(IMAGE_NEEDS) <= copied
