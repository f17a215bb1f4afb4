"""The round-trip budget: what one request may cost in Redis and database round trips.

Redis calls are counted on a private server (INFO commandstats, before and after); database
statements with SQLAlchemy's `before_cursor_execute` event on the app's own engine.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from mentorhub.auth import issue_tokens
from mentorhub.extensions import db as _db
from mentorhub.models import User
from tests.support.sql_events import statement_texts

PLATFORM = "/api/v1/stats/platform"
DASHBOARD = "/api/v1/stats/dashboard"
USER = "/api/v1/stats/user"
# The commands the token-bucket script runs inside Redis: one EVALSHA round trip brings them.
BUCKET_SCRIPT = ("cmdstat_time", "cmdstat_hmget", "cmdstat_hset", "cmdstat_pexpire")


def redis_calls(client) -> dict[str, int]:
    """Calls per command the server has run so far, not counting INFO itself."""
    stats = client.info("commandstats")
    return {name: value["calls"] for name, value in stats.items() if name != "cmdstat_info"}


@contextmanager
def counted_redis(private_redis) -> Iterator[dict[str, int]]:
    """Yield a dict that holds, afterwards, the commands run meanwhile (only non-zero)."""
    direct = private_redis.client()
    before = redis_calls(direct)
    delta: dict[str, int] = {}
    yield delta
    after = redis_calls(direct)
    delta.update({k: n - before.get(k, 0) for k, n in after.items() if n - before.get(k, 0)})
    direct.close()


@pytest.fixture
def full_app(make_app, private_redis) -> Flask:
    """Limiter, cache and revocations all on the private Redis; hot entries kept a minute."""
    return make_app(
        {"CACHE_NEAR_SECONDS": 60.0}, RATE_LIMIT_ENABLED="true", REDIS_URL=private_redis.url
    )


def login_token(app: Flask, is_mentor: bool) -> dict[str, str]:
    """A new user and bearer headers with an access token as login issues it."""
    with app.test_request_context():
        email = f"{uuid.uuid4().hex}@example.com"
        user = User(email=email, name="Round Trip", is_mentor=is_mentor)
        user.set_password("correct-horse-battery")
        _db.session.add(user)
        _db.session.commit()
        return {"Authorization": f"Bearer {issue_tokens(user)['access_token']}"}


def test_a_cached_public_get_makes_one_redis_round_trip(full_app, private_redis):
    client = full_app.test_client()
    assert client.get(PLATFORM).status_code == 200  # computes and caches the totals
    with counted_redis(private_redis) as calls, statement_texts(full_app) as statements:
        for _ in range(10):
            response = client.get(PLATFORM)
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Remaining"]
    # The limiter's EVALSHA is the only command sent; the rest run inside its script.
    assert calls == {"cmdstat_evalsha": 10, **{name: 10 for name in BUCKET_SCRIPT}}
    assert statements == []


def test_the_near_copy_is_what_saves_the_cache_round_trip(make_app, private_redis):
    app = make_app(
        {"CACHE_NEAR_SECONDS": 0.0}, RATE_LIMIT_ENABLED="true", REDIS_URL=private_redis.url
    )
    client = app.test_client()
    assert client.get(PLATFORM).status_code == 200
    with counted_redis(private_redis) as calls:
        assert client.get(PLATFORM).status_code == 200
    assert calls.get("cmdstat_get") == 1  # without the near copy, the entry comes from Redis


@pytest.mark.parametrize("is_mentor", [True, False])
def test_the_dashboard_runs_its_own_statement_only(full_app, private_redis, is_mentor):
    headers = login_token(full_app, is_mentor)
    client = full_app.test_client()
    assert client.get(DASHBOARD, headers=headers).status_code == 200
    with statement_texts(full_app) as statements, counted_redis(private_redis) as calls:
        for _ in range(5):
            assert client.get(DASHBOARD, headers=headers).status_code == 200
    # Id and role come from the token: no user row, no revocation row, one statement each.
    assert len(statements) == 5
    assert all("enrollments" in statement for statement in statements)
    # Redis: one round trip, the limiter's EVALSHA; the revocation keys ride along in it (the
    # MGET runs inside the script).
    assert calls == {"cmdstat_evalsha": 5, "cmdstat_mget": 5, **{n: 5 for n in BUCKET_SCRIPT}}


def test_an_authenticated_get_runs_at_most_one_statement_besides_its_own(full_app):
    headers = login_token(full_app, is_mentor=False)
    client = full_app.test_client()
    assert client.get(USER, headers=headers).status_code == 200
    with statement_texts(full_app) as statements:
        assert client.get(USER, headers=headers).status_code == 200
    # The caller's row (email, created_at are not in the token) and the stats statement.
    assert len(statements) <= 2


def test_a_change_reaches_every_process_within_the_near_lifetime(make_app, private_redis):
    # Two apps stand for two worker processes: each keeps its own near copy.
    near = 0.5
    reader, writer = (
        make_app({"CACHE_NEAR_SECONDS": near}, REDIS_URL=private_redis.url) for _ in range(2)
    )
    client = reader.test_client()
    before = client.get(PLATFORM).get_json()["total_users"]
    with writer.app_context():
        _db.session.add(
            User(email=f"{uuid.uuid4().hex}@example.com", name="Late", password_hash="x")
        )
        _db.session.commit()
    changed_at = time.monotonic()
    with writer.app_context():
        assert writer.test_cli_runner().invoke(args=["stats", "rebuild"]).exit_code == 0
    while client.get(PLATFORM).get_json()["total_users"] == before:
        assert time.monotonic() - changed_at < 10, "the change never reached the other app"
    # A stale copy lives at most `near` seconds after the shared entry was dropped.
    assert time.monotonic() - changed_at < near + 2.0
