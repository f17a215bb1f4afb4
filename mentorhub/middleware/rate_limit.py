"""Rate limiting on Flask-Limiter: the spec's limits, headers, exclusions and 429 body."""

from __future__ import annotations

from flask import Flask, current_app, request

from mentorhub.extensions import limiter


def default_limit(config: dict) -> str:
    """RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds, as a limit string."""
    return f"{config['RATE_LIMIT_REQUESTS']} per {config['RATE_LIMIT_WINDOW']} seconds"


@limiter.request_filter
def is_excluded_path() -> bool:
    """Paths in RATE_LIMIT_EXCLUDE_PATHS (health probes, docs) are never limited."""
    return request.path in current_app.config["RATE_LIMIT_EXCLUDE_PATHS"]


def login_email_key() -> str:
    """Key login attempts by the email tried, so guessing one account's password is slowed."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return f"login-email:{email}"


def init_rate_limiting(app: Flask) -> None:
    """Configure Flask-Limiter from our settings and bind it to the app."""
    config = app.config
    redis_url = config.get("REDIS_URL")
    timeout = config["REDIS_SOCKET_TIMEOUT"]
    config.setdefault("RATELIMIT_ENABLED", config["RATE_LIMIT_ENABLED"])
    config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS",
        {"socket_timeout": timeout, "socket_connect_timeout": timeout},
    )
    config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_KEY_PREFIX", "mentorhub-rl")
    config.setdefault("RATELIMIT_DEFAULT", default_limit(config))
    limiter.init_app(app)
