"""Everything a request passes through around its view, installed in one place and in order.

`register_middleware(app)` is the only code that wraps `app.wsgi_app` or adds request hooks, so
the order below is the order a request meets them:

1. `EnvelopeMiddleware` (WSGI): nothing raised, even after the response was built, reaches the
   server; it answers with the JSON error envelope instead.
2. `ProxyFix` (WSGI, with TRUSTED_PROXY_HOPS): the client's address, scheme and host as the
   trusted proxies saw them, so the rate limit and the logs see the real client.
3. `NoCookieSessions`: callers use bearer tokens; no session cookie is read or written.
4. `start_request`: the request id and the timer, before anything can log or refuse.
5. `read_revocation_ahead` (with Redis and rate limiting on): names the token's revocation keys,
   so the rate limiter's Redis round trip fetches them too.
6. `RateLimitMiddleware`: the client's token bucket; a 429 here ends the request.
7. `guard_request`: input the app cannot store or parse safely is refused (400/422).
8. The view. Then, after it, in this order: `finish_request` (request id header, metrics), the
   rate limit headers, and Retry-After kept to the answers where it means something.
9. `release_session` at teardown: the database session ends, even on a connection that died.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from mentorhub.auth import read_revocation_ahead
from mentorhub.errors import release_session
from mentorhub.middleware.error_envelope import EnvelopeMiddleware
from mentorhub.middleware.no_cookie_session import NoCookieSessions
from mentorhub.middleware.rate_limit import RateLimitMiddleware
from mentorhub.middleware.request_guard import guard_request
from mentorhub.observability import finish_request, start_request

__all__ = ["RateLimitMiddleware", "register_middleware"]


def register_middleware(app: Flask) -> None:
    """Install every WSGI layer and request hook of `app`, in the order a request meets them."""
    config = app.config
    # WSGI layers wrap inwards: the last one applied is the first to see the request.
    hops = config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.wsgi_app = EnvelopeMiddleware(app.wsgi_app)

    app.session_interface = NoCookieSessions()
    # Before-request hooks run in the order they are added.
    app.before_request(start_request)
    if config.get("REDIS_URL") and config.get("RATELIMIT_ENABLED", config["RATE_LIMIT_ENABLED"]):
        app.before_request(read_revocation_ahead)
    RateLimitMiddleware(
        app,
        max_requests=config["RATE_LIMIT_REQUESTS"],
        time_window=config["RATE_LIMIT_WINDOW"],
        exclude_paths=config["RATE_LIMIT_EXCLUDE_PATHS"],
    )
    app.before_request(guard_request)
    # After-request hooks run in reverse order of adding: this one runs before the rate
    # limiter's, which RateLimitMiddleware added.
    app.after_request(finish_request)
    # Teardown functions also run in reverse order: this one before Flask-SQLAlchemy's own
    # removal (added with the extensions), which then finds nothing left to do.
    app.teardown_appcontext(release_session)
