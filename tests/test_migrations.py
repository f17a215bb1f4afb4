"""`flask db upgrade` builds exactly the models' schema on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from config import database_url
from mentorhub.extensions import db
from tests.support.servers import ROOT, flask_command, run_flask


def _environ(**environ: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(FLASK_APP="wsgi:app", SECRET_KEY="migration-test-secret-" + "x" * 20, **environ)
    return env


def _flask(*args: str, **environ: str) -> subprocess.CompletedProcess:
    result = run_flask(_environ(**environ), *args, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def _assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            import mentorhub.models  # noqa: F401

            diff = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"migrations and models disagree: {diff}"


@pytest.fixture
def postgres_url(scratch_database) -> str:
    return scratch_database("migrations")


def test_upgrade_and_downgrade_on_postgresql(postgres_url):
    _flask("db", "upgrade", DATABASE_URL=postgres_url)
    _assert_schema_matches_models(database_url(postgres_url, ROOT))
    _flask("db", "downgrade", "base", DATABASE_URL=postgres_url)
    _flask("db", "upgrade", DATABASE_URL=postgres_url)


@pytest.mark.slow
def test_concurrent_upgrades_take_turns(postgres_url):
    # Four deploy steps (or replicas) starting together against one empty database.
    env = _environ(DATABASE_URL=postgres_url)
    runs = [
        subprocess.Popen(
            flask_command("db", "upgrade"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    outcomes = list(zip([run.returncode for run in runs], errors, strict=True))
    assert [code for code, _ in outcomes] == [0, 0, 0, 0], [err for _, err in outcomes]
    # Exactly one run applied the migrations; the others found the schema at head.
    applied = [err for _, err in outcomes if "Running upgrade  -> " in err]
    assert len(applied) == 1
    _assert_schema_matches_models(database_url(postgres_url, ROOT))


def test_upgrade_on_sqlite_default(tmp_path):
    _flask("db", "upgrade", INSTANCE_DIR=str(tmp_path))
    _assert_schema_matches_models(f"sqlite:///{tmp_path / 'mentorhub.db'}")
