"""The steps `create_app` runs, each a few lines."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from mentorhub import errors
from mentorhub.extensions import api, db, jwt, limiter, migrate, rq

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class NoCookieSessions(SessionInterface):
    """Callers sign in with bearer tokens: no request reads or sets a session cookie."""

    def open_session(self, app, request) -> None:
        """No session: Flask hands views its NullSession, which refuses writes."""
        return None

    def save_session(self, app, session, response) -> None:
        """Nothing to save."""


def register_logging(app: Flask) -> None:
    """Log the app's own lines at LOG_LEVEL in LOG_FORMAT; the root logger is the host's."""
    from mentorhub.observability import configure_logging

    configure_logging(app)


def register_observability(app: Flask) -> None:
    """Request ids on every response, HTTP and pipeline metrics, and /metrics."""
    from mentorhub.observability import init_observability

    init_observability(app)


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from mentorhub import models  # noqa: F401  (registers the tables for migrations)
    from mentorhub.cache.service import init_cache
    from mentorhub.health import init_health
    from mentorhub.mail.service import init_mail
    from mentorhub.notifications.dispatch import init_delivery
    from mentorhub.notifications.queue import init_queue_settings
    from mentorhub.ratelimit.setup import init_rate_limiting
    from mentorhub.services.auth import init_jwt
    from mentorhub.stats.tracking import init_counter_tracking

    # Flask's signed-cookie session would be opened and checked on every request for nothing.
    app.session_interface = NoCookieSessions()
    if app.config["TRUSTED_PROXY_HOPS"]:
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _ensure_sqlite_directory(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    init_counter_tracking(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    init_cache(app)
    init_rate_limiting(app, limiter)
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


def register_blueprints(app: Flask) -> None:
    """Mount the API under /api/v1 and the health probes at the root."""
    from mentorhub.api import BLUEPRINTS
    from mentorhub.api.health import blp as health_blp
    from mentorhub.routing import RowIdConverter, row_id_parameter_schema

    app.url_map.converters["int"] = RowIdConverter
    api.register_converter(RowIdConverter, row_id_parameter_schema)
    api.register_blueprint(health_blp)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix}")


def register_error_handlers(app: Flask) -> None:
    """One JSON envelope for every error, and hostile input refused before any view runs."""
    from mentorhub.request_guard import init_request_guard
    from mentorhub.wsgi_envelope import init_envelope_middleware

    errors.register_error_handlers(app)
    init_request_guard(app)
    init_envelope_middleware(app)


def register_commands(app: Flask) -> None:
    """Add MentorHub's `flask` commands."""
    from mentorhub.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
