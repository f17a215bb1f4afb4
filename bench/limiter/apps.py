"""The apps the limiter benchmark compares: one JSON endpoint, bare or behind a limiter.

gunicorn loads them as `bench.limiter.apps:create_app(variant)`, a variant from VARIANTS.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config

# The last is a reference, not a deployment: per process, so not shared by the two workers. It
# shows what Flask-Limiter costs on its own, without any Redis round trip.
VARIANTS = ("bare", "token-bucket", "moving-window", "token-bucket-memory")
# High enough that no simulated client reaches it: the bench measures the cost of allowed hits.
LIMIT_REQUESTS = "1000"
LIMIT_WINDOW = "60"
KEY_PREFIX = "bench-rl"


def create_app(variant: str) -> Flask:
    """A Flask app whose `/ping` answers JSON, limited as `variant` says."""
    if variant not in VARIANTS:
        raise SystemExit(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    app = Flask(__name__)
    # Every variant sits behind the same ProxyFix, so the bench's X-Forwarded-For is the client.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)

    @app.get("/ping")
    def ping():
        return jsonify(status="ok")

    redis_url = os.environ["REDIS_URL"]
    if variant == "token-bucket":
        _mentorhub_limiter(app, redis_url)
    elif variant == "token-bucket-memory":
        _mentorhub_limiter(app, "")
    elif variant == "moving-window":
        Limiter(
            get_remote_address,
            app=app,
            storage_uri=redis_url,
            strategy="moving-window",
            headers_enabled=True,
            application_limits=[f"{LIMIT_REQUESTS} per {LIMIT_WINDOW} seconds"],
            key_prefix=f"{KEY_PREFIX}:moving-window",
        )
    return app


def _mentorhub_limiter(app: Flask, redis_url: str) -> None:
    from mentorhub.errors import register_error_handlers
    from mentorhub.extensions import limiter
    from mentorhub.ratelimit.setup import init_rate_limiting

    settings = Config(
        {
            "REDIS_URL": redis_url,
            "RATE_LIMIT_REQUESTS": LIMIT_REQUESTS,
            "RATE_LIMIT_WINDOW": LIMIT_WINDOW,
            # A busy machine can stall Redis past the default 50 ms, which would (by design) move
            # a worker to its in-memory bucket: the bench must measure the Redis path.
            "REDIS_SOCKET_TIMEOUT": "1",
        }
    )
    # Only the limiter's settings: the others (SECRET_KEY turns on cookie sessions) would add
    # their own cost and blur the comparison.
    app.config.update(
        {k: v for k, v in vars(settings).items() if k.startswith(("RATE_LIMIT_", "REDIS_"))}
    )
    register_error_handlers(app)
    init_rate_limiting(app, limiter)
