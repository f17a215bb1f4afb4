"""Single read-only statements: their own pool, no liveness ping, one retry on a dead connection."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mentorhub.db_read_pool import read_one
from mentorhub.extensions import db as _db
from tests.support.run_resources import TEST_DATABASE

DASHBOARD = "/api/v1/stats/dashboard"


def terminate_backend(pid: int) -> None:
    TEST_DATABASE.terminate(pids=[pid])


def reads_backend() -> int:
    """The backend pid of the connection the reads pool keeps (it keeps one when idle)."""
    return read_one(text("SELECT pg_backend_pid()"), {})[0]


def test_a_dashboard_read_on_a_dropped_connection_is_sent_again(
    app, client, student, auth_headers, caplog
):
    headers = auth_headers(student)
    first = client.get(DASHBOARD, headers=headers)
    assert first.status_code == 200
    terminate_backend(reads_backend())

    with caplog.at_level(logging.INFO, logger="mentorhub.db_read_pool"):
        again = client.get(DASHBOARD, headers=headers)
    # No ping noticed the dead connection: the statement failed on it and was sent again.
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert "sending it again" in caplog.text


def test_reads_go_to_the_app_database(app, db):
    main = db.session.execute(text("SELECT current_database()")).scalar()
    assert read_one(text("SELECT current_database()"), {})[0] == main


def test_a_read_that_fails_for_another_reason_is_not_sent_again(app, caplog):
    quiet = caplog.at_level(logging.INFO, logger="mentorhub.db_read_pool")
    with quiet, pytest.raises(DBAPIError, match="division by zero"):
        read_one(text("SELECT 1 / 0"), {})
    assert "sending it again" not in caplog.text


def test_the_reads_pool_takes_the_main_pools_settings(make_app):
    app = make_app(DB_POOL_SIZE="3")
    with app.app_context():
        assert {engine.pool.size() for engine in _db.engines.values()} == {3}
        assert len(_db.engines) == 2
