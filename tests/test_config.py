"""Configuration: environment parsing, DATABASE_URL mapping, production's secret checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, ProductionConfig, database_url, load_config
from mentorhub import create_app
from mentorhub.models import User
from tests.support.servers import ROOT

STRONG_SECRET = "k" * 48


def test_spec_style_postgres_url_uses_psycopg3():
    url = database_url("postgresql://user:pass@localhost/mentorhub", Path("/x"))
    assert url == "postgresql+psycopg://user:pass@localhost/mentorhub"


def test_no_database_url_means_a_sqlite_file(tmp_path):
    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'mentorhub.db'}"


def test_spec_variables_are_read():
    config = load_config(
        "development",
        {
            "ACCESS_TOKEN_EXPIRE_MINUTES": "45",
            "ALGORITHM": "HS512",
            "RATE_LIMIT_REQUESTS": "7",
            "RATE_LIMIT_WINDOW": "9",
            "SMTP_HOST": "mail.example.com",
            "SMTP_PORT": "2525",
            "FROM_EMAIL": "hello@example.com",
        },
    )
    assert config.JWT_ACCESS_TOKEN_EXPIRES.total_seconds() == 45 * 60
    assert config.JWT_ALGORITHM == "HS512"
    assert (config.RATE_LIMIT_REQUESTS, config.RATE_LIMIT_WINDOW) == (7, 9)
    assert (config.SMTP_HOST, config.SMTP_PORT, config.FROM_EMAIL) == (
        "mail.example.com",
        2525,
        "hello@example.com",
    )
    assert config.SMTP_TIMEOUT == 10.0


@pytest.mark.parametrize(
    "name, value",
    [
        ("SMTP_PORT", "abc"),
        ("RATE_LIMIT_REQUESTS", "1.5"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "-3"),
        ("SMTP_TIMEOUT", "soon"),
        ("RATE_LIMIT_ENABLED", "maybe"),
    ],
)
def test_malformed_numbers_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_config("development", {name: value})


@pytest.mark.parametrize(
    "secret, reason",
    [
        (None, "missing or a placeholder"),
        ("your-secret-key", "missing or a placeholder"),
        ("changeme", "missing or a placeholder"),
        ("short-but-not-placeholder", "at least 32 bytes"),
    ],
)
def test_production_refuses_weak_secrets(secret, reason):
    environ = {} if secret is None else {"SECRET_KEY": secret}
    with pytest.raises(ConfigError, match=reason):
        load_config("production", environ)


# Everything production needs; each test below removes or spoils one setting.
PRODUCTION = {
    "SECRET_KEY": STRONG_SECRET,
    "DATABASE_URL": "postgresql://mentorhub@db.internal/mentorhub",
    "PUBLIC_BASE_URL": "https://mentorhub.example.com",
    "SMTP_HOST": "smtp.example.com",
}


def test_production_accepts_a_complete_configuration():
    config = load_config("production", PRODUCTION)
    assert isinstance(config, ProductionConfig)
    assert config.JWT_SECRET_KEY == STRONG_SECRET


@pytest.mark.parametrize("name", ["production", "development"])
def test_passwords_are_hashed_with_scrypt_whatever_the_environment_says(name, tmp_path):
    environ = {**PRODUCTION, "PASSWORD_HASH_METHOD": "plain", "INSTANCE_DIR": str(tmp_path)}
    if name == "development":
        environ.pop("DATABASE_URL")
    app = create_app(load_config(name, environ))
    with app.app_context():
        user = User(email="ada@example.com", name="Ada")
        user.set_password("correct-horse")
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("correct-horse")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"DATABASE_URL": None}, "DATABASE_URL is unset or SQLite in production"),
        ({"DATABASE_URL": "sqlite:////data/app.db"}, "DATABASE_URL is unset or SQLite"),
        ({"PUBLIC_BASE_URL": None}, r"PUBLIC_BASE_URL is unset or local \(http://127.0.0.1:5000\)"),
        ({"PUBLIC_BASE_URL": "http://localhost:8000"}, "PUBLIC_BASE_URL is unset or local"),
        ({"PUBLIC_BASE_URL": "http://[::1]:8000"}, "PUBLIC_BASE_URL is unset or local"),
        ({"PUBLIC_BASE_URL": "http://0.0.0.0"}, "PUBLIC_BASE_URL is unset or local"),
        ({"FRONTEND_URL": "http://localhost:3000"}, "FRONTEND_URL is local"),
        ({"PUBLIC_BASE_URL": "mentorhub.example.com"}, "PUBLIC_BASE_URL is unset or local"),
        ({"SMTP_HOST": None}, "SMTP_HOST is not set; set it, or EMAIL_BACKEND=log"),
        ({"SMTP_HOST": None, "EMAIL_BACKEND": "smtp"}, "SMTP_HOST is not set"),
        ({"EMAIL_BACKEND": "carrier-pigeon"}, "EMAIL_BACKEND must be one of smtp, log"),
    ],
)
def test_production_refuses_each_mistake(changes, message):
    environ = {k: v for k, v in {**PRODUCTION, **changes}.items() if v is not None}
    with pytest.raises(ConfigError, match=message):
        load_config("production", environ)


@pytest.mark.parametrize(
    "changes",
    [
        {"DATABASE_URL": None, "ALLOW_SQLITE_IN_PRODUCTION": "true"},
        {"SMTP_HOST": None, "EMAIL_BACKEND": "log"},
        {"PUBLIC_BASE_URL": "http://10.1.2.3:8000"},
    ],
)
def test_production_accepts_each_deliberate_choice(changes):
    environ = {k: v for k, v in {**PRODUCTION, **changes}.items() if v is not None}
    assert isinstance(load_config("production", environ), ProductionConfig)


def test_development_keeps_its_local_defaults():
    config = load_config("development", {})
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.PUBLIC_BASE_URL == "http://127.0.0.1:5000"


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="MENTORHUB_ENV"):
        load_config(None, {"MENTORHUB_ENV": "staging"})


def test_create_app_turns_config_errors_into_a_clean_exit():
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        create_app(ProductionConfig({"SECRET_KEY": "x"}))


def _start_wsgi(**environ: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_process_exits_with_one_line_when_secret_is_default(tmp_path):
    result = _start_wsgi(MENTORHUB_ENV="production", INSTANCE_DIR=str(tmp_path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "mentorhub: configuration error: SECRET_KEY is missing or a placeholder; set a random value"
    ]


@pytest.mark.parametrize(
    "missing, message",
    [
        ("DATABASE_URL", "DATABASE_URL is unset or SQLite in production"),
        ("PUBLIC_BASE_URL", "PUBLIC_BASE_URL is unset or local"),
        ("SMTP_HOST", "SMTP_HOST is not set; set it, or EMAIL_BACKEND=log"),
    ],
)
def test_production_process_stops_with_one_line_per_mistake(tmp_path, missing, message):
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}
    cleared = {"PUBLIC_BASE_URL": "", "SMTP_HOST": ""}
    result = _start_wsgi(
        MENTORHUB_ENV="production", INSTANCE_DIR=str(tmp_path), **{**cleared, **environ}
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"mentorhub: configuration error: {message}")


def test_make_run_links_follow_the_port_it_serves_on():
    # `make -n` prints the commands `make run` would run, with the variables expanded.
    result = subprocess.run(
        ["make", "-n", "run", "PORT=5077"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    serve = [line for line in result.stdout.splitlines() if "flask run" in line]
    assert serve and "--port 5077" in serve[0]
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5077" in serve[0]


def test_malformed_number_stops_the_process_with_one_line(tmp_path):
    result = _start_wsgi(SMTP_PORT="twenty-five", INSTANCE_DIR=str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "mentorhub: configuration error: SMTP_PORT must be an integer, got 'twenty-five'"
    ]


def test_production_app_links_default_to_the_public_address():
    settings = load_config("production", PRODUCTION)
    assert PRODUCTION["PUBLIC_BASE_URL"] == settings.FRONTEND_URL
    assert load_config("development", {}).FRONTEND_URL == "http://localhost:3000"
