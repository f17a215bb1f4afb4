"""Rate limiting through the HTTP API: the 429, headers, exclusions, refill, costs and keys."""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from config import ConfigError, load_config
from tests.support.auth import LOGIN

SPEC_429 = {"status_code": 429, "message": "Too many requests. Please try again later."}
ME = "/api/v1/auth/me"


@pytest.fixture
def limited(make_app):
    """Build a rate-limited app from environment overrides and return its test client."""

    def factory(**environ: str):
        return make_app(RATE_LIMIT_ENABLED="true", **environ).test_client()

    return factory


@pytest.fixture
def headers(make_user, auth_headers) -> dict[str, str]:
    """A valid access token, so the probe route answers 200 when it is not limited."""
    return auth_headers(make_user())


def storage_environ(storage: str) -> dict[str, str]:
    """Environment for a limiter on Redis (the suite's) or in memory (no REDIS_URL)."""
    return {"REDIS_URL": ""} if storage == "memory" else {}


def statuses(client, count: int, headers: dict, path: str = ME) -> list[int]:
    return [client.get(path, headers=headers).status_code for _ in range(count)]


def assert_spec_429(response) -> None:
    assert response.status_code == 429
    assert json.loads(response.data) == SPEC_429
    assert int(response.headers["Retry-After"]) >= 1


def test_over_the_limit_answers_the_spec_429(limited, headers):
    client = limited(RATE_LIMIT_REQUESTS="3", RATE_LIMIT_WINDOW="3600")
    assert statuses(client, 3, headers) == [200, 200, 200]
    assert_spec_429(client.get(ME, headers=headers))
    assert_spec_429(client.get("/api/v1/stats/platform"))  # one bucket per client, every route


def test_headers_follow_the_token_bucket(limited, headers):
    # 5 tokens refilled over 100 s: one every 20 s; full again 20 s per token taken.
    client = limited(RATE_LIMIT_REQUESTS="5", RATE_LIMIT_WINDOW="100")
    for taken in range(1, 6):
        before = time.time()
        response = client.get(ME, headers=headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "5"
        assert response.headers["X-RateLimit-Remaining"] == str(5 - taken)
        reset = int(response.headers["X-RateLimit-Reset"])
        assert math.floor(before + 20 * taken) - 2 <= reset <= math.ceil(time.time() + 20 * taken)
        assert "Retry-After" not in response.headers
    response = client.get(ME, headers=headers)
    assert_spec_429(response)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) >= math.floor(before + 100) - 1
    # Seconds until one token is back (20 s per token, minus what has passed), not until full.
    assert 15 <= int(response.headers["Retry-After"]) <= 20


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_waiting_gives_tokens_back_gradually(limited, headers, storage):
    # 3 tokens per 6 s: one token every 2 s. The margins absorb scheduling delays: a request
    # would have to stall for more than 1.7 s to see a token it should not.
    client = limited(RATE_LIMIT_REQUESTS="3", RATE_LIMIT_WINDOW="6", **storage_environ(storage))
    assert statuses(client, 4, headers) == [200, 200, 200, 429]
    time.sleep(2 + 0.3)
    assert statuses(client, 2, headers) == [200, 429]
    time.sleep(6 + 0.3)
    assert statuses(client, 4, headers) == [200, 200, 200, 429]


def test_excluded_paths_are_never_limited(limited, headers):
    client = limited(RATE_LIMIT_REQUESTS="1", RATE_LIMIT_WINDOW="3600")
    for path in ["/health", "/openapi.json", "/docs"]:
        for _ in range(5):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "X-RateLimit-Limit" not in response.headers
    assert statuses(client, 2, headers) == [200, 429]


def test_excluded_paths_are_configurable(limited, headers):
    client = limited(RATE_LIMIT_REQUESTS="1", RATE_LIMIT_EXCLUDE_PATHS="/api/v1/auth")
    assert statuses(client, 5, headers) == [200] * 5
    assert [client.get("/api/v1/stats/platform").status_code for _ in range(2)] == [200, 429]


def login(client, email: str, forwarded_for: str = "203.0.113.9") -> int:
    body = {"email": email, "password": "wrong-password"}
    return client.post(LOGIN, json=body, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_login_costs_more_from_the_client_bucket(limited, headers):
    # Login costs 5 of the client's 10 tokens: two attempts drain the bucket for every route.
    client = limited(RATE_LIMIT_REQUESTS="10", RATE_LIMIT_WINDOW="3600")
    assert [login(client, "a@example.com"), login(client, "b@example.com")] == [401, 401]
    assert login(client, "c@example.com") == 429
    assert statuses(client, 1, headers) == [429]


def test_route_costs_are_configurable(limited):
    client = limited(
        RATE_LIMIT_REQUESTS="10",
        RATE_LIMIT_WINDOW="3600",
        RATE_LIMIT_ROUTE_COSTS="/api/v1/auth/login=1",
    )
    assert [login(client, f"u{n}@example.com") for n in range(3)] == [401] * 3


def test_login_is_limited_per_client(limited):
    client = limited(LOGIN_RATE_LIMIT="3 per hour", RATE_LIMIT_ROUTE_COSTS="/api/v1/auth/login=1")
    assert [login(client, f"u{n}@example.com") for n in range(4)] == [401, 401, 401, 429]


def test_login_is_limited_per_email_whatever_the_client(limited):
    client = limited(TRUSTED_PROXY_HOPS="1", LOGIN_EMAIL_RATE_LIMIT="2 per hour")
    tries = [login(client, "Victim@Example.com", f"198.51.100.{n}") for n in range(3)]
    assert tries == [401, 401, 429]
    assert login(client, "other@example.com", "198.51.100.50") == 401


def test_forwarded_for_is_ignored_without_trusted_proxies(limited, headers):
    client = limited(RATE_LIMIT_REQUESTS="2", RATE_LIMIT_WINDOW="3600")
    forged = [{**headers, "X-Forwarded-For": f"192.0.2.{n}"} for n in range(3)]
    assert [client.get(ME, headers=h).status_code for h in forged] == [200, 200, 429]


def test_forged_hops_before_the_trusted_proxy_do_not_change_the_key(limited, headers):
    client = limited(RATE_LIMIT_REQUESTS="2", RATE_LIMIT_WINDOW="3600", TRUSTED_PROXY_HOPS="1")

    def get(forwarded_for: str) -> int:
        return client.get(ME, headers={**headers, "X-Forwarded-For": forwarded_for}).status_code

    # Our proxy appends the address it saw; anything before it is the client's to forge.
    assert [get(f"192.0.2.{n}, 10.0.0.1") for n in range(3)] == [200, 200, 429]
    assert get("10.0.0.2") == 200


def test_apps_in_one_process_keep_their_own_limits(make_app, headers):
    # The limiter instance is module-wide; each app's limits and storage must stay its own.
    small = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="2", REDIS_URL="")
    large = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="4")
    small_client, large_client = small.test_client(), large.test_client()
    assert statuses(small_client, 3, headers) == [200, 200, 429]
    assert statuses(large_client, 5, headers) == [200] * 4 + [429]
    assert small_client.get(ME, headers=headers).headers["X-RateLimit-Limit"] == "2"


def test_idle_buckets_expire_when_they_would_be_full(limited, headers, redis_client):
    client = limited(RATE_LIMIT_REQUESTS="5", RATE_LIMIT_WINDOW="100")
    statuses(client, 2, headers)
    (key,) = redis_client.keys("*mentorhub-rl:token-bucket/*")
    assert 37_000 <= redis_client.pttl(key) <= 40_000  # 2 tokens at 20 s each


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_concurrent_requests_take_exactly_the_capacity(limited, headers, storage):
    client = limited(
        RATE_LIMIT_REQUESTS="50", RATE_LIMIT_WINDOW="86400", **storage_environ(storage)
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: client.get(ME, headers=headers).status_code, range(200)))
    assert results.count(200) == 50
    assert results.count(429) == 150


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_LIMIT_STRATEGY", "leaky-bucket"),
        ("RATE_LIMIT_ROUTE_COSTS", "/api/v1/auth/login=lots"),
        ("LOGIN_RATE_LIMIT", "ten a minute"),
    ],
)
def test_bad_settings_are_one_line_errors(name, value):
    with pytest.raises(ConfigError) as error:
        load_config("production", {"SECRET_KEY": "k" * 48, name: value})
    assert str(error.value).startswith(name)
    assert "\n" not in str(error.value)
