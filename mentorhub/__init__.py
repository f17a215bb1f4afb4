"""MentorHub: the backend of a mentorship platform, as a Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from config import Config, ConfigError, load_config, read_environ


def create_app(
    config: Config | str | None = None, overrides: Mapping[str, Any] | None = None
) -> Flask:
    """Build the app: configuration, extensions, metrics, middleware, blueprints, errors, CLI."""
    environ = read_environ()
    try:
        settings = config if isinstance(config, Config) else load_config(config, environ)
        settings.validate()
        # Extensions check their own settings as they are set up (mail, for one).
        return _build(settings, overrides)
    except ConfigError as error:
        # One line, no traceback: this is an operator's mistake, not a bug.
        raise SystemExit(f"mentorhub: configuration error: {error}") from None


def _build(settings: Config, overrides: Mapping[str, Any] | None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(settings)
    app.config.update(overrides or {})

    from mentorhub.app_setup import (
        register_blueprints,
        register_commands,
        register_error_handlers,
        register_extensions,
        register_logging,
        register_middleware,
        register_observability,
    )

    register_logging(app)
    register_extensions(app)
    register_observability(app)
    register_middleware(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app
