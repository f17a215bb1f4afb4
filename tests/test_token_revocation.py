"""Logout ends a whole sign-in, sign-out-everywhere ends all of them, through Redis outages."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest
from flask_jwt_extended import decode_token

from mentorhub.extensions import db as _db
from mentorhub.models import RevokedToken
from tests.support.auth import AuthActions, bearer

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
DASHBOARD = "/api/v1/stats/dashboard"


@pytest.fixture(params=["limiter off", "limiter on"])
def make_app(make_app, request):
    """Each check twice: with the limiter on, the revocation keys ride on its Redis call."""
    if request.param == "limiter off":
        return make_app

    def factory(config_overrides: dict | None = None, **environ: str):
        environ = {"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_REQUESTS": "100000", **environ}
        return make_app(config_overrides, **environ)

    return factory


def sign_in(client, email: str = "student@example.com") -> dict:
    return AuthActions(client).sign_in(email)


def refreshed(client, tokens: dict) -> str:
    response = client.post(REFRESH, headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 200
    return response.get_json()["access_token"]


def status(client, token: str, path: str = ME) -> int:
    return client.get(path, headers=bearer(token)).status_code


@pytest.mark.parametrize("present", ["access_token", "refresh_token"])
def test_logout_revokes_the_refresh_token_and_every_access_token_of_the_sign_in(
    client, student, present
):
    tokens = sign_in(client)
    minted = refreshed(client, tokens)
    other = sign_in(client)

    response = client.post(LOGOUT, headers=bearer(tokens[present]))
    assert response.status_code == 200

    assert status(client, tokens["access_token"]) == 401
    assert status(client, minted) == 401
    assert client.post(REFRESH, headers=bearer(tokens["refresh_token"])).status_code == 401
    revoked = client.get(ME, headers=bearer(minted)).get_json()
    assert revoked == {"status_code": 401, "message": "Token has been revoked."}
    # Another sign-in of the same user is untouched.
    assert status(client, other["access_token"]) == 200
    assert status(client, refreshed(client, other)) == 200


def test_logout_everywhere_revokes_every_sign_in_and_a_new_one_works(client, student, mentor):
    first, second = sign_in(client), sign_in(client)
    minted = refreshed(client, second)
    mentors = sign_in(client, mentor.email)

    assert client.post(LOGOUT_ALL, headers=bearer(first["access_token"])).status_code == 200

    for token in (first["access_token"], second["access_token"], minted):
        assert status(client, token) == 401
    for tokens in (first, second):
        assert client.post(REFRESH, headers=bearer(tokens["refresh_token"])).status_code == 401
    # Signing in again straight away (even within the same second) works; others are untouched.
    again = sign_in(client)
    assert status(client, again["access_token"]) == 200
    assert status(client, refreshed(client, again)) == 200
    assert status(client, mentors["access_token"]) == 200


def test_a_logout_in_one_process_is_seen_by_another_at_once(make_app, app, student):
    # Two apps share nothing but PostgreSQL and Redis, like two gunicorn workers.
    one, other = make_app().test_client(), make_app().test_client()
    tokens = sign_in(one)
    assert status(other, tokens["access_token"]) == 200
    assert one.post(LOGOUT, headers=bearer(tokens["access_token"])).status_code == 200
    assert status(other, tokens["access_token"]) == 401


def test_logout_during_a_redis_outage_holds_and_survives_redis_losing_its_data(
    make_app, app, student, private_redis
):
    client = make_app(REDIS_URL=private_redis.url).test_client()
    tokens, kept = sign_in(client), sign_in(client)
    assert status(client, tokens["access_token"]) == 200

    private_redis.kill()
    assert client.post(LOGOUT, headers=bearer(tokens["refresh_token"])).status_code == 200
    assert status(client, tokens["access_token"]) == 401
    assert status(client, kept["access_token"]) == 200
    assert _db.session.get(RevokedToken, _family(tokens)) is not None

    # Redis comes back empty: the revocation is copied back from the database.
    private_redis.start()
    other = make_app(REDIS_URL=private_redis.url).test_client()
    assert status(other, tokens["access_token"]) == 401
    assert status(other, kept["access_token"]) == 200
    assert private_redis.client().exists(f"mentorhub-auth:fam:{_family(tokens)}")
    assert status(client, tokens["access_token"]) == 401


def test_revocations_written_while_redis_was_unreachable_reach_it_when_it_answers(
    make_app, app, student, private_redis
):
    client = make_app(REDIS_URL=private_redis.url).test_client()
    tokens = sign_in(client)
    assert status(client, tokens["access_token"]) == 200

    private_redis.freeze()
    try:
        assert client.post(LOGOUT_ALL, headers=bearer(tokens["access_token"])).status_code == 200
    finally:
        private_redis.thaw()
    # Redis kept its data but missed the write. The process that saw the outage resyncs it on
    # its first check after the one-second recheck interval; meanwhile the database answers.
    generation_key = f"mentorhub-auth:gen:{student.id}"
    redis = private_redis.client()
    deadline = time.monotonic() + 5
    while not redis.exists(generation_key):
        assert status(client, tokens["access_token"]) == 401
        assert time.monotonic() < deadline, "Redis was never resynced"
        time.sleep(0.05)
    assert redis.get(generation_key) == b"1"
    other = make_app(REDIS_URL=private_redis.url).test_client()
    assert status(other, tokens["access_token"]) == 401


def _family(tokens: dict) -> str:
    return decode_token(tokens["refresh_token"])["jti"]


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "1", "fam": {"nested": 1}, "type": "access"},
        {"sub": ["1"], "fam": "f", "type": "access"},
        {"sub": "1", "fam": 5, "type": "access"},
        {"sub": "not-a-number", "jti": "j", "type": "access"},
        {"type": "access"},
    ],
)
def test_forged_tokens_with_odd_claims_are_401_before_and_after_the_limiter(client, claims):
    # Signed with the wrong key: the early read of the revocation keys must not trip on them.
    forged = pyjwt.encode(claims, "not-the-secret-" * 4, algorithm="HS256")
    for token in (forged, "not.a.token", "a.b", ""):
        response = client.get(DASHBOARD, headers=bearer(token))
        assert response.status_code == 401, (token, response.get_json())
        assert response.get_json()["status_code"] == 401
