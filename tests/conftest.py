"""Shared fixtures: a real PostgreSQL database and Redis db of this run's own.

`tests.support.run_resources` names them (unique per run) and drops them when the run ends, so a run
never depends on, or touches, a developer's data or another run's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest
import redis as redis_lib
from flask import Flask
from sqlalchemy.engine import make_url

from config import TestingConfig
from mentorhub import create_app
from mentorhub.extensions import db as _db
from mentorhub.models import User
from mentorhub.services.auth import issue_tokens
from tests.support import run_resources
from tests.support.notifications import MailSink
from tests.support.run_resources import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.servers import PrivateRedis, free_port
from tests.support.tables import empty_tables

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow tests run first: each process takes whole files, in this order, and a
    slow file started last would keep one process busy after the others are done."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Drop the run's databases and flush its Redis db, whatever the outcome."""
    run_resources.release()


def _recreate_database(url: str) -> None:
    target = make_url(url)
    with psycopg.connect(run_resources.admin_url(url), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (target.database,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}"')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def base_environ(**overrides: str) -> dict[str, str]:
    """Environment for a test app: the suite's own PostgreSQL database and Redis db."""
    environ = {
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": TEST_SECRET,
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "INFO",
    }
    environ.update(overrides)
    return {k: v for k, v in environ.items() if v is not None}


@pytest.fixture(scope="session")
def database_schema() -> Iterator[None]:
    """Create the test database and its tables once per run."""
    _recreate_database(TEST_DATABASE_URL)
    app = create_app(TestingConfig(base_environ()))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    yield


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis_lib.Redis]:
    """A client on the suite's Redis db; a missing Redis fails the run, never skips it."""
    client = redis_lib.Redis.from_url(TEST_REDIS_URL)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def make_app(database_schema, redis_client) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra environment variables or config overrides."""
    apps: list[Flask] = []

    def factory(config_overrides: dict | None = None, **environ: str) -> Flask:
        app = create_app(TestingConfig(base_environ(**environ)), config_overrides)
        apps.append(app)
        return app

    redis_client.flushdb()
    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
            for engine in _db.engines.values():
                engine.dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    """The app on PostgreSQL and Redis, with empty tables, rate limiting off."""
    application = make_app()
    with application.app_context():
        empty_tables()
        yield application
        _db.session.remove()


@pytest.fixture
def client(app: Flask):
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for `app`."""
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask):
    """The Flask-SQLAlchemy extension, inside the app context."""
    return _db


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user row directly (bypassing the API)."""
    counter = {"n": 0}

    def factory(
        email: str | None = None,
        *,
        is_mentor: bool = False,
        password: str = "password123",
        name: str = "Test User",
    ) -> User:
        counter["n"] += 1
        user = User(
            email=(email or f"user{counter['n']}@example.com").lower(),
            name=name,
            is_mentor=is_mentor,
        )
        user.set_password(password)
        _db.session.add(user)
        _db.session.commit()
        return user

    return factory


@pytest.fixture
def auth_headers(app: Flask) -> Callable[[User], dict[str, str]]:
    """Bearer headers carrying a fresh sign-in's access (or refresh) token, as login issues."""

    def factory(user: User, refresh: bool = False) -> dict[str, str]:
        tokens = issue_tokens(user)
        token = tokens["refresh_token"] if refresh else tokens["access_token"]
        return {"Authorization": f"Bearer {token}"}

    return factory


@pytest.fixture
def student(make_user) -> User:
    """A student account."""
    return make_user("student@example.com")


@pytest.fixture
def mentor(make_user) -> User:
    """A mentor account."""
    return make_user("mentor@example.com", is_mentor=True)


@pytest.fixture
def smtp() -> Iterator[MailSink]:
    """A real SMTP server on loopback, recording what it accepts."""
    sink = MailSink(free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A running redis-server of this test's own, killed at the end."""
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()
