"""The cache service's interface, keys, values, clear() and the @cached decorator."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from mentorhub.services.cache import CacheValueError, cache_service, cached

ODD_KEYS = [
    "",
    "plain",
    "with space",
    "with space ",
    "line\r\nbreak",
    "line\nbreak",
    "nul\x00byte",
    "nul\x00",
    "ünïcødé ключ 鍵 🔑",
    "lone \ud800 surrogate",
    "k" * 10_240,
    "k" * 10_239 + "j",
    "*",
    "[glob]?",
    "k:plain",
    "h:" + "0" * 64,
]


def test_cache_service():
    """The documented "Testing" example, exactly as written (no app context needed)."""
    # Set value
    cache_service.set("test_key", {"data": "value"}, ttl=60)

    # Get value
    result = cache_service.get("test_key")
    assert result == {"data": "value"}

    # Delete value
    cache_service.delete("test_key")
    assert cache_service.get("test_key") is None


@pytest.fixture(params=["redis", "memory"])
def cache_app(request, make_app):
    """An app context on the suite's Redis, and one on the embedded memory cache."""
    app = make_app(REDIS_URL=None) if request.param == "memory" else make_app()
    with app.app_context():
        yield app


def test_spec_example_inside_the_app(cache_app):
    cache_service.set("test_key", {"data": "value"}, ttl=60)
    assert cache_service.get("test_key") == {"data": "value"}
    assert cache_service.exists("test_key")
    assert cache_service.delete("test_key") is True
    assert cache_service.get("test_key") is None
    assert not cache_service.exists("test_key")


def test_the_redis_backend_really_stores_in_redis(make_app, redis_client):
    with make_app().app_context():
        cache_service.set("visible", [1, 2], ttl=60)
        keys = [k.decode() for k in redis_client.keys("*")]
    assert keys == ["mentorhub:cache:k:visible"]
    assert redis_client.get(keys[0]) == b"[1,2]"  # JSON, never a pickle


def test_any_string_is_a_key_and_distinct_keys_never_collide(cache_app):
    for index, key in enumerate(ODD_KEYS):
        assert cache_service.set(key, {"index": index}, ttl=60)
    for index, key in enumerate(ODD_KEYS):
        assert cache_service.get(key) == {"index": index}, repr(key[:40])
        assert cache_service.exists(key)
    cache_service.delete("nul\x00byte")
    assert cache_service.get("nul\x00byte") is None
    assert cache_service.get("nul\x00") == {"index": ODD_KEYS.index("nul\x00")}


def test_keys_must_be_strings(cache_app):
    with pytest.raises(TypeError, match="strings"):
        cache_service.set(42, "value")


@pytest.mark.parametrize(
    "value",
    [None, 0, 1.5, True, "text", [], {}, {"nested": [1, {"a": None}], "ü": "é"}],
)
def test_json_values_round_trip(cache_app, value):
    cache_service.set("value", value, ttl=60)
    assert cache_service.get("value") == value


def test_orm_objects_are_refused_with_a_clear_message(cache_app, make_user):
    user = make_user("orm@example.com")
    with pytest.raises(CacheValueError, match="User ORM object.*dict"):
        cache_service.set("user", user)
    with pytest.raises(CacheValueError, match="User ORM object"):
        cache_service.set("users", {"list": [user]})
    assert cache_service.get("user") is None


@pytest.mark.parametrize("value", [datetime(2024, 1, 1), {1, 2}, b"bytes", float("nan"), object()])
def test_non_json_values_are_refused(cache_app, value):
    with pytest.raises(CacheValueError):
        cache_service.set("bad", value)
    assert not cache_service.exists("bad")


def test_entries_expire_after_their_ttl(cache_app):
    cache_service.set("short", "lived", ttl=1)
    cache_service.set("long", "lived", ttl=60)
    deadline = time.monotonic() + 10
    while cache_service.exists("short") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache_service.get("short") is None
    assert cache_service.get("long") == "lived"


def test_clear_removes_our_keys_and_nothing_else(make_app, redis_client):
    foreign = {
        b"other-app:session": b"keep",
        b"mentorhub-rl/LIMITER/127.0.0.1": b"7",
        b"mentorhub:cache-lock:x": b"token",
        b"rq:queue:default": b"job",
        b"mentorhub:cache": b"no trailing colon",
    }
    for key, value in foreign.items():
        redis_client.set(key, value)
    with make_app().app_context():
        for index in range(1200):  # more than one SCAN batch
            cache_service.set(f"key-{index}", index, ttl=60)
        cache_service.set("odd key\r\n", "x", ttl=60)
        assert cache_service.clear() is True
        assert cache_service.get("key-1") is None
        assert cache_service.get("odd key\r\n") is None
    assert {key: redis_client.get(key) for key in foreign} == foreign
    assert sorted(redis_client.keys("*")) == sorted(foreign)


def test_clear_in_the_memory_backend(make_app):
    with make_app(REDIS_URL=None).app_context():
        cache_service.set("a", 1)
        assert cache_service.clear() is True
        assert cache_service.get("a") is None


def test_cached_keys_on_the_function_and_its_arguments(cache_app):
    calls = []

    @cached(ttl=600, key_prefix="user")
    def get_user(user_id: int, detail: bool = False) -> dict:
        calls.append((user_id, detail))
        return {"id": user_id, "detail": detail}

    @cached(ttl=600, key_prefix="user")
    def get_other(user_id: int, detail: bool = False) -> dict:
        return {"other": user_id}

    assert get_user(1) == {"id": 1, "detail": False}
    assert get_user(1) == {"id": 1, "detail": False}
    assert get_user(user_id=1, detail=False) == {"id": 1, "detail": False}
    assert get_user(2) == {"id": 2, "detail": False}
    assert get_user("1") == {"id": "1", "detail": False}
    assert get_user(1, True) == {"id": 1, "detail": True}
    assert get_other(1) == {"other": 1}
    assert calls == [(1, False), (2, False), ("1", False), (1, True)]
    assert get_user.cache_key(1).startswith("user:")

    assert get_user.invalidate(1) is True
    assert get_user(1) == {"id": 1, "detail": False}
    assert calls[-1] == (1, False) and len(calls) == 5


def test_cached_stores_none_results_too(cache_app):
    calls = []

    @cached(ttl=600)
    def nothing() -> None:
        calls.append(1)

    assert nothing() is None
    assert nothing() is None
    assert calls == [1]


def test_cached_refuses_functions_that_return_orm_objects(cache_app, make_user):
    user = make_user("cached@example.com")

    @cached(ttl=600, key_prefix="user")
    def get_user(user_id: int):
        from mentorhub.extensions import db
        from mentorhub.models import User

        return db.session.get(User, user_id)

    with pytest.raises(CacheValueError, match="ORM object"):
        get_user(user.id)
