"""Apps built in one process share nothing: settings, cache, limiter, environment, logging."""

from __future__ import annotations

import logging
import os

from mentorhub.services.cache import cache_service


def test_building_an_app_changes_neither_the_environment_nor_the_root_logger(make_app):
    root = logging.getLogger()
    before = (dict(os.environ), root.level, list(root.handlers))
    make_app(LOG_LEVEL="DEBUG", LOG_FORMAT="json")
    make_app(LOG_LEVEL="WARNING")
    assert (dict(os.environ), root.level, list(root.handlers)) == before


def test_two_apps_keep_their_own_settings_and_cache(make_app):
    embedded = make_app(REDIS_URL="", PLATFORM_NAME="Embedded")
    on_redis = make_app(PLATFORM_NAME="OnRedis")

    names = [
        app.test_client().get("/api/v1/stats/platform").get_json()["platform_name"]
        for app in (embedded, on_redis)
    ]
    assert names == ["Embedded", "OnRedis"]

    with embedded.app_context():
        assert cache_service.set("isolation-probe", {"app": "embedded"}, ttl=60)
    with on_redis.app_context():
        assert cache_service.get("isolation-probe") is None
        assert cache_service.set("isolation-probe", {"app": "on-redis"}, ttl=60)
    with embedded.app_context():
        assert cache_service.get("isolation-probe") == {"app": "embedded"}
        assert cache_service.store() is not _store_of(on_redis)


def _store_of(app):
    with app.app_context():
        return cache_service.store()
