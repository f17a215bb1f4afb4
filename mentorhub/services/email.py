"""Email service on Flask-Mail: HTML and text parts from Jinja templates."""

from __future__ import annotations

import logging

from flask import Flask

logger = logging.getLogger(__name__)


def init_mail_settings(app: Flask) -> None:
    """Map the spec's SMTP_* variables onto Flask-Mail's settings."""
    config = app.config
    config.setdefault("MAIL_SERVER", config.get("SMTP_HOST") or "localhost")
    config.setdefault("MAIL_PORT", config["SMTP_PORT"])
    config.setdefault("MAIL_USERNAME", config.get("SMTP_USER"))
    config.setdefault("MAIL_PASSWORD", config.get("SMTP_PASSWORD"))
    config.setdefault("MAIL_USE_TLS", config["SMTP_USE_TLS"])
    config.setdefault("MAIL_USE_SSL", config["SMTP_USE_SSL"])
    config.setdefault("MAIL_DEFAULT_SENDER", config["FROM_EMAIL"])
