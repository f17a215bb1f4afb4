"""What each request is limited by: the client's bucket, a route's cost, the exempt paths.

These read the current app's settings on every call, so the one module-wide `limiter` serves
every app by its own configuration (see `mentorhub.extensions`).
"""

from __future__ import annotations

from flask import Config, current_app, request

CLIENT_LIMIT_KEY = "RATELIMIT_APPLICATION"
EXCLUDED_KEY = "mentorhub.rate_limit_excluded"
# Flask-Limiter's Retry-After goes under this name and is dropped (setup.header_finisher): its
# value is the moving window's, not the bucket's, and it would overwrite a Retry-After the app
# set itself (a 409 for a request still running).
LIMITER_RETRY_AFTER = "X-RateLimit-Retry-After"


def client_limit_string(config: Config) -> str:
    """RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds, as a limit string."""
    return f"{config['RATE_LIMIT_REQUESTS']} per {config['RATE_LIMIT_WINDOW']} seconds"


def client_limit() -> str:
    """The client bucket's limit for the current app: one bucket per client, every route."""
    return current_app.config[CLIENT_LIMIT_KEY]


def route_cost() -> int:
    """Tokens a request takes from its client's bucket: RATE_LIMIT_ROUTE_COSTS, else 1."""
    rule = request.url_rule
    return current_app.config["RATE_LIMIT_ROUTE_COSTS"].get(rule.rule if rule else "", 1)


def is_excluded_path() -> bool:
    """Paths in RATE_LIMIT_EXCLUDE_PATHS (health probes, docs) and below them are never limited."""
    paths, parents = current_app.extensions[EXCLUDED_KEY]
    path = request.path
    return path in paths or path.startswith(parents)
