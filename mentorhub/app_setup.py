"""The steps `create_app` runs, each a few lines."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from mentorhub import errors
from mentorhub.extensions import api, db, jwt, migrate, rq

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def register_logging(app: Flask) -> None:
    """Log the app's own lines at LOG_LEVEL in LOG_FORMAT; the root logger is the host's."""
    from mentorhub.observability import configure_logging

    configure_logging(app)


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from mentorhub import models  # noqa: F401  (registers the tables for migrations)
    from mentorhub.auth import init_jwt
    from mentorhub.cache.backend import init_cache
    from mentorhub.health import init_health
    from mentorhub.mail import init_mail
    from mentorhub.notifications.after_commit import init_delivery
    from mentorhub.notifications.job_queue import init_queue_settings
    from mentorhub.stats.tracking import init_counter_tracking

    _ensure_sqlite_directory(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    init_counter_tracking(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    init_cache(app)
    init_mail(app)
    jwt.init_app(app)
    init_jwt(app)
    init_queue_settings(app)
    init_delivery(app)
    init_health(app)
    rq.init_app(app)
    api.init_app(app)


def _ensure_sqlite_directory(uri: str) -> None:
    # The embedded default lives in instance/, which a fresh clone does not have yet.
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def register_observability(app: Flask) -> None:
    """Metrics and /metrics (the request hooks that feed them are middleware)."""
    from mentorhub.observability import init_observability

    init_observability(app)


def register_middleware(app: Flask) -> None:
    """Every WSGI layer and request hook, in the order a request meets them."""
    from mentorhub.middleware import register_middleware as install

    install(app)


def register_blueprints(app: Flask) -> None:
    """Mount the API under /api/v1 and the health probes at the root."""
    from mentorhub.api import BLUEPRINTS
    from mentorhub.api.health import blp as health_blp
    from mentorhub.url_converters import RowIdConverter, row_id_parameter_schema

    app.url_map.converters["int"] = RowIdConverter
    api.register_converter(RowIdConverter, row_id_parameter_schema)
    api.register_blueprint(health_blp)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix}")


def register_error_handlers(app: Flask) -> None:
    """One JSON envelope for every error (replacing flask-smorest's handler)."""
    errors.register_error_handlers(app)


def register_commands(app: Flask) -> None:
    """Add MentorHub's `flask` commands."""
    from mentorhub.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
