"""DB_PREPARE_THRESHOLD: server-side prepared statements on every engine, or none at all."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from config import ConfigError, load_config
from mentorhub.extensions import db

POSTGRES = {"DATABASE_URL": "postgresql://u@h/d"}


def _prepared_after_repeats(engine, repeats: int = 8) -> int:
    """Run one statement `repeats` times on one connection; count what the server prepared."""
    with engine.connect() as connection:
        for n in range(repeats):
            connection.execute(text("SELECT :n + 1"), {"n": n})
        return connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()


def test_statements_are_prepared_by_default_on_both_engines(make_app):
    app = make_app()
    with app.app_context():
        assert _prepared_after_repeats(db.engine) >= 1
        assert _prepared_after_repeats(db.engines["reads"]) >= 1


def test_off_prepares_nothing_on_either_engine(make_app):
    app = make_app(DB_PREPARE_THRESHOLD="off")
    with app.app_context():
        assert _prepared_after_repeats(db.engine) == 0
        assert _prepared_after_repeats(db.engines["reads"]) == 0


def test_a_number_is_the_threshold_for_every_engine():
    config = load_config(None, {**POSTGRES, "DB_PREPARE_THRESHOLD": "0"})
    assert config.SQLALCHEMY_ENGINE_OPTIONS["connect_args"]["prepare_threshold"] == 0
    reads = config.SQLALCHEMY_BINDS["reads"]
    assert reads["connect_args"]["prepare_threshold"] == 0


@pytest.mark.parametrize("value", ["never", "Off-ish", "-1", "2.5", "５"])
def test_anything_else_is_refused_in_one_line(value):
    with pytest.raises(ConfigError) as refused:
        load_config(None, {**POSTGRES, "DB_PREPARE_THRESHOLD": value})
    assert str(refused.value) == (
        f"DB_PREPARE_THRESHOLD must be a whole number or off, got {value!r}"
    )
