"""Shared fixtures: a real PostgreSQL database and Redis db of this run's own.

`tests.support.run_resources` names them (unique per run) and drops them when the run ends, so
a run never depends on, or touches, a developer's data or another run's. The helpers behind the
fixtures live in `tests.support`, which the benchmarks share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from flask import Flask
from sqlalchemy.engine import make_url

from config import TestingConfig
from mentorhub import create_app
from mentorhub.extensions import db as _db
from mentorhub.models import User
from tests.support import run_resources
from tests.support.auth import PASSWORD, AuthActions
from tests.support.booking import book as book_session
from tests.support.databases import Database
from tests.support.environ import app_environ
from tests.support.notifications import worker_environ
from tests.support.redis_server import PrivateRedis
from tests.support.run_resources import TEST_DATABASE, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.support.servers import ServerProcess, flask_command
from tests.support.smtp import MailSink
from tests.support.tables import empty_tables


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow tests run first: each process takes whole files, in this order, and a
    slow file started last would keep one process busy after the others are done."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Drop the run's databases and flush its Redis db, whatever the outcome."""
    run_resources.release()


@pytest.fixture(scope="session")
def database_schema() -> Iterator[None]:
    """Create the test database and its tables once per run."""
    TEST_DATABASE.create()
    app = create_app(TestingConfig(app_environ()))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    yield


@pytest.fixture
def scratch_database() -> Iterator[Callable[[str], str]]:
    """Make an empty database named after the run's (`<run's>_<suffix>`); its URL. Dropped after."""
    made: list[Database] = []

    def make(suffix: str) -> str:
        name = f"{TEST_DATABASE.name}_{suffix}"
        database = Database(make_url(TEST_DATABASE_URL).set(database=name).render_as_string(False))
        made.append(database.create())
        return database.url

    yield make
    for database in made:
        database.drop()


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
        app = create_app(TestingConfig(app_environ(**environ)), config_overrides)
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
def auth(client) -> AuthActions:
    """Sign up and sign in through the API with `client`."""
    return AuthActions(client)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user row directly (bypassing the API)."""
    counter = {"n": 0}

    def factory(
        email: str | None = None,
        *,
        is_mentor: bool = False,
        password: str = PASSWORD,
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
def auth_headers(app: Flask) -> Callable[..., dict[str, str]]:
    """Bearer headers carrying a fresh sign-in's access (or refresh) token, as login issues."""
    return AuthActions.headers


@pytest.fixture
def student(make_user) -> User:
    """A student account."""
    return make_user("student@example.com")


@pytest.fixture
def mentor(make_user) -> User:
    """A mentor account."""
    return make_user("mentor@example.com", is_mentor=True)


@pytest.fixture
def book(client, auth_headers) -> Callable:
    """POST /sessions as `student` with `mentor` (two days ahead by default); the response."""

    def factory(student: User, mentor: User, start=None, **fields):
        return book_session(client, auth_headers(student), mentor, start, **fields)

    return factory


@pytest.fixture
def smtp() -> Iterator[MailSink]:
    """A real SMTP server on loopback, recording what it accepts."""
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def start_worker(smtp, tmp_path) -> Iterator[Callable[..., ServerProcess]]:
    """Start `flask worker [args]` processes on the suite's database, Redis and `smtp`.

    Each runs in a process group of its own, so a test can SIGKILL it like a crashed machine;
    all are stopped at teardown.
    """
    started: list[ServerProcess] = []

    def start(*args: str, environ: dict[str, str] | None = None) -> ServerProcess:
        log = Path(tmp_path, f"worker-{len(started)}.log")
        worker = ServerProcess(flask_command("worker", *args), environ or worker_environ(smtp), log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout=20)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A running redis-server of this test's own, killed at the end."""
    server = PrivateRedis().start()
    yield server
    server.kill()
