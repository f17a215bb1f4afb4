"""The time zone migration keeps the rows that existed before it valid, both ways."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import create_engine, text

from mentorhub.extensions import db

BEFORE = "0003"


@pytest.fixture
def empty_database(scratch_database) -> str:
    return scratch_database("zones")


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_existing_users_get_utc_and_existing_sessions_sequence_zero(make_app, empty_database):
    app = make_app(DATABASE_URL=empty_database)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with app.app_context():
            flask_migrate.upgrade(revision=BEFORE)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, password_hash, is_mentor, created_at) VALUES"
                    " ('m@example.com', 'M', 'x', true, now()), ('s@example.com', 'S', 'x', false,"
                    " now())"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO mentor_sessions (mentor_id, student_id, topic, scheduled_time,"
                    " duration_minutes, status, created_at, updated_at)"
                    " VALUES (1, 2, 'Go', now() + interval '1 day', 60, 'scheduled', now(), now())"
                )
            )
        with app.app_context():
            flask_migrate.upgrade()
        users = _rows(engine, "SELECT email, timezone, calendar_token FROM users ORDER BY id")
        assert users == [("m@example.com", "UTC", None), ("s@example.com", "UTC", None)]
        assert _rows(engine, "SELECT sequence FROM mentor_sessions") == [(0,)]
        with app.app_context():
            flask_migrate.downgrade(revision=BEFORE)
        assert _rows(engine, "SELECT count(*) FROM users") == [(2,)]
        assert _rows(engine, "SELECT count(*) FROM mentor_sessions") == [(1,)]
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()  # before the database is dropped
