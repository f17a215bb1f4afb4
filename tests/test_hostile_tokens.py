"""A bearer token is a stranger's text until its signature is checked: any claim, any route, 4xx.

The production configuration (Redis, rate limiting on) reads a token's claims before verifying
it, to fetch its revocation keys on the rate limiter's Redis call. Whatever those claims hold,
every route answers in the error envelope (401 where a token is needed), never 500.
"""

from __future__ import annotations

import pytest

from tests.support.auth import bearer
from tests.support.hostile_input import forged

HEALTH = "/health"
ME = "/api/v1/auth/me"
PLATFORM = "/api/v1/stats/platform"


HOSTILE_PAYLOADS = {
    "infinite sub": '{"sub": Infinity, "fam": "f"}',
    "negative infinite sub": '{"sub": -Infinity, "fam": "f"}',
    "overflowing sub": '{"sub": 1e999, "fam": "f"}',
    "nan sub": '{"sub": NaN, "fam": "f"}',
    "surrogate family": '{"sub": "1", "fam": "\\ud800"}',
    "surrogate jti": '{"sub": "1", "jti": "x\\udfff"}',
    "huge sub": '{"sub": ' + "9" * 5000 + ', "fam": "f"}',
    "nested sub": '{"sub": {"a": [1, {"b": null}]}, "fam": ["x"]}',
    "deep payload": '{"sub": ' + "[" * 5000 + "]" * 5000 + "}",
    "not an object": "[1, 2, 3]",
    "boolean sub": '{"sub": true, "fam": false}',
}
HOSTILE_HEADERS = {
    "deep header": '{"alg": ' + "[" * 5000 + "]" * 5000 + "}",
    "infinite alg": '{"alg": Infinity}',
    "nested kid": '{"alg": "HS256", "kid": {"a": [NaN]}}',
}
CASES = [(name, forged(payload)) for name, payload in HOSTILE_PAYLOADS.items()]
CASES += [(name, forged('{"sub": "1"}', header)) for name, header in HOSTILE_HEADERS.items()]


@pytest.fixture
def production_like(make_app):
    """Redis and rate limiting on, as deployed: the token's keys ride on the limiter's call."""
    return make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="100000").test_client()


@pytest.mark.parametrize("name, token", CASES, ids=[name for name, _ in CASES])
def test_hostile_claims_are_a_401_where_a_token_is_needed_and_ignored_elsewhere(
    production_like, name, token
):
    for path, expected in ((ME, 401), (HEALTH, 200), (PLATFORM, 200)):
        response = production_like.get(path, headers=bearer(token))
        assert response.status_code == expected, (path, response.get_json())
    body = production_like.get(ME, headers=bearer(token)).get_json()
    assert body == {"status_code": 401, "message": "Invalid token."}


def test_hostile_tokens_still_charge_the_callers_bucket(make_app):
    app = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="3", RATE_LIMIT_WINDOW="600")
    client = app.test_client()
    token = forged('{"sub": Infinity, "fam": "\\ud800"}')
    statuses = [client.get(ME, headers=bearer(token)).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
