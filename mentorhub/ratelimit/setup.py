"""Rate limiting on Flask-Limiter: the spec's limits, headers, exclusions and 429 body.

The default strategy is our token bucket (see `token_bucket_strategy`); RATE_LIMIT_STRATEGY
also accepts Flask-Limiter's own fixed-window, moving-window and sliding-window-counter.
"""

from __future__ import annotations

import math

from flask import Config, Flask, Response, current_app, request
from redis.backoff import NoBackoff
from redis.retry import Retry

from mentorhub.extensions import limiter
from mentorhub.ratelimit.limiter import ParsedOnceLimit
from mentorhub.ratelimit.strategy import last_result, register_strategy

register_strategy()
EXCLUDED = "mentorhub.rate_limit_excluded"


def client_limit(config: Config) -> str:
    """RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds, as a limit string."""
    return f"{config['RATE_LIMIT_REQUESTS']} per {config['RATE_LIMIT_WINDOW']} seconds"


def route_cost() -> int:
    """Tokens a request takes from its client's bucket: RATE_LIMIT_ROUTE_COSTS, else 1."""
    rule = request.url_rule
    return current_app.config["RATE_LIMIT_ROUTE_COSTS"].get(rule.rule if rule else "", 1)


@limiter.request_filter
def is_excluded_path() -> bool:
    """Paths in RATE_LIMIT_EXCLUDE_PATHS (health probes, docs) and below them are never limited."""
    paths, parents = current_app.extensions[EXCLUDED]
    path = request.path
    return path in paths or path.startswith(parents)


def login_email_key() -> str:
    """Key login attempts by the email tried, so guessing one account's password is slowed."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return f"login-email:{email}"


def finish_headers(response: Response) -> Response:
    """Give Retry-After its token-bucket meaning: on a 429 only, seconds until it would pass."""
    current = limiter.current_limit
    if current is None:
        return response
    if response.status_code == 429:
        result = last_result(current.key)
        if result is not None:
            response.headers["Retry-After"] = str(max(1, math.ceil(result.retry_after)))
    elif response.status_code < 500:
        # Flask-Limiter sends Retry-After on every limited response; it only means something
        # on a 429 (a 503 may carry its own).
        response.headers.pop("Retry-After", None)
    return response


def init_rate_limiting(app: Flask) -> None:
    """Configure Flask-Limiter from our settings and bind it to the app."""
    config = app.config
    strategy = config["RATE_LIMIT_STRATEGY"]
    timeout = config["REDIS_SOCKET_TIMEOUT"]
    config.setdefault("RATELIMIT_ENABLED", config["RATE_LIMIT_ENABLED"])
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS",
        {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            # One attempt per request, bounded by the timeouts above: a retry would double the
            # wait on a dead Redis, and the fallback already answers.
            "retry": Retry(NoBackoff(), 0),
        },
    )
    config.setdefault("RATELIMIT_STRATEGY", strategy)
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # Each strategy stores a different shape under its keys: sharing names gives WRONGTYPE.
    config.setdefault("RATELIMIT_KEY_PREFIX", f"mentorhub-rl:{strategy}")
    # One bucket per client, shared by every route (each takes its cost from it), as the spec's
    # middleware does; route decorators such as login's add buckets of their own.
    config.setdefault("RATELIMIT_APPLICATION", client_limit(config))
    config.setdefault("RATELIMIT_APPLICATION_COST", route_cost)
    excluded = config["RATE_LIMIT_EXCLUDE_PATHS"]
    # Worked out once: this filter runs on every request.
    app.extensions[EXCLUDED] = (frozenset(excluded), tuple(p.rstrip("/") + "/" for p in excluded))
    _forget_previous_app()
    # Not finalized: init_app gives it the cost and exemptions from RATELIMIT_APPLICATION_*.
    client_bucket = ParsedOnceLimit(limit_provider=config["RATELIMIT_APPLICATION"], finalized=False)
    limiter.limit_manager.set_application_limits([client_bucket.bind(limiter)])
    # after_request hooks run in reverse order of registration: this one runs after
    # Flask-Limiter's, which init_app registers.
    if config["RATELIMIT_ENABLED"] and finish_headers not in app.after_request_funcs.get(None, []):
        app.after_request(finish_headers)
    # Called even when disabled: the instance is module-wide, and this switches it off for the
    # limit decorators too.
    limiter.init_app(app)


def _forget_previous_app() -> None:
    # Flask-Limiter keeps these on the (module-wide) instance and reads the app's config only
    # when they are unset, so a second app in one process (the test suite) would inherit them.
    # The application limit is replaced by init_rate_limiting for the same reason.
    limiter._strategy = None
    limiter._key_prefix = ""
    limiter._storage_dead = False
    limiter._application_limits_cost = None
    limiter._application_limits_per_method = None
    limiter._application_limits_exempt_when = None
    limiter._application_limits_deduct_when = None
