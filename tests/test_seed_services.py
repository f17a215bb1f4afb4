"""The documented service API at its documented paths: the cache service, `@cached` and the
rate-limit middleware, with the documentation's own examples run as written where Python allows
(its cache test is in test_cache_service.py).
"""

from __future__ import annotations

import json

import pytest

from mentorhub.extensions import db as _db
from mentorhub.middleware.rate_limit import RateLimitMiddleware
from mentorhub.models import User
from mentorhub.services.cache import CacheValueError, cache_service, cached

PLATFORM = "/api/v1/stats/platform"
LIMITED = {"status_code": 429, "message": "Too many requests. Please try again later."}


def test_cache_methods_default_ttl_clear_and_exists(app, redis_client):
    assert cache_service.set("a", [1, 2]) is True
    assert cache_service.exists("a") and not cache_service.exists("b")
    # The documented default: an hour.
    [stored] = [key for key in redis_client.scan_iter("mentorhub:cache:*")]
    assert 3590 < redis_client.ttl(stored) <= 3600
    assert cache_service.clear() is True
    assert not cache_service.exists("a")


def test_the_documented_cached_example_is_refused_with_the_fix_named(app, make_user):
    """The example caches an ORM row; a row cannot outlive its session, so it is refused."""
    db = _db.session  # the documentation's `db` is a session
    user_id = make_user("ada@example.com").id

    @cached(ttl=600, key_prefix="user")
    def get_user(user_id: int):
        return db.query(User).filter(User.id == user_id).first()

    with pytest.raises(CacheValueError, match="cache a dict of the fields you need instead"):
        get_user(user_id)


def limited_app(make_app, **environ: str):
    return make_app(RATE_LIMIT_ENABLED="true", **environ)


def statuses(client, path: str, count: int) -> list[int]:
    return [client.get(path).status_code for _ in range(count)]


def test_the_documented_middleware_call_limits_and_excludes(make_app):
    app = limited_app(make_app)
    RateLimitMiddleware(app, max_requests=3, time_window=60, exclude_paths=["/health", "/docs"])
    client = app.test_client()
    answers = [client.get(PLATFORM) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["3", "3", "3"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    refused = client.get(PLATFORM)
    assert refused.status_code == 429 and json.loads(refused.data) == LIMITED
    assert int(refused.headers["Retry-After"]) >= 1
    assert statuses(client, "/health", 5) == [200] * 5
    assert "X-RateLimit-Limit" not in client.get("/health").headers
    assert client.get("/docs").status_code == 200


def test_create_app_applies_it_from_the_settings(make_app):
    app = limited_app(make_app, RATE_LIMIT_REQUESTS="2", RATE_LIMIT_EXCLUDE_PATHS="/health")
    client = app.test_client()
    assert statuses(client, PLATFORM, 3) == [200, 200, 429]
    assert statuses(client, "/health", 3) == [200] * 3


def test_applied_again_it_replaces_the_limit_and_the_exclusions(make_app):
    app = limited_app(make_app, RATE_LIMIT_REQUESTS="2", RATE_LIMIT_EXCLUDE_PATHS="/health")
    client = app.test_client()
    assert statuses(client, PLATFORM, 3) == [200, 200, 429]
    RateLimitMiddleware(app, max_requests=4, time_window=60, exclude_paths=[PLATFORM])
    assert app.config["RATE_LIMIT_REQUESTS"] == 4
    assert statuses(client, PLATFORM, 6) == [200] * 6
    first = client.get("/health")
    # The new limit, with a full bucket; and one request still takes one token (applying it
    # again added no second set of hooks).
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == (
        "4",
        "3",
    )
    assert statuses(client, "/health", 4) == [200, 200, 200, 429]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"max_requests": 0}, ValueError),
        ({"time_window": "60"}, ValueError),
        ({"time_window": True}, ValueError),
        ({"exclude_paths": "/health"}, TypeError),
        ({"exclude_paths": ["health"]}, ValueError),
    ],
)
def test_bad_settings_are_refused_before_anything_changes(make_app, kwargs, error):
    app = limited_app(make_app, RATE_LIMIT_REQUESTS="2")
    with pytest.raises(error):
        RateLimitMiddleware(app, **kwargs)
    assert statuses(app.test_client(), PLATFORM, 3) == [200, 200, 429]
