"""The token check's round-trip budget: one Redis command, and no query a claim answers."""

from __future__ import annotations

from tests.support.auth import AuthActions, bearer
from tests.support.sql_events import statement_texts

ME = "/api/v1/auth/me"
DASHBOARD = "/api/v1/stats/dashboard"


def redis_commands(client) -> dict[str, int]:
    stats = client.info("commandstats")
    return {
        name.removeprefix("cmdstat_"): value["calls"]
        for name, value in stats.items()
        if name.removeprefix("cmdstat_") not in {"info", "config|resetstat"}
    }


def test_an_authenticated_get_costs_one_redis_command_and_no_revocation_or_user_query(
    make_app, app, student, private_redis
):
    measured = make_app(REDIS_URL=private_redis.url)
    client = measured.test_client()
    headers = bearer(AuthActions(client).sign_in(student.email)["access_token"])
    assert client.get(DASHBOARD, headers=headers).status_code == 200  # warm: first sync

    redis = private_redis.client()
    redis.config_resetstat()
    with statement_texts(measured) as seen:
        assert client.get(DASHBOARD, headers=headers).status_code == 200
    assert redis_commands(redis) == {"mget": 1}
    # Only the dashboard's own statement: revocation and role come from Redis and the token.
    assert len(seen) == 1, seen
    assert "revoked_tokens" not in seen[0] and "token_generations" not in seen[0]
    assert "FROM users" not in seen[0]

    redis.config_resetstat()
    with statement_texts(measured) as seen:
        assert client.get(ME, headers=headers).status_code == 200
    assert redis_commands(redis) == {"mget": 1}
    assert len(seen) == 1 and "FROM users" in seen[0], seen  # /me shows the row: its own query


def test_with_redis_down_the_check_is_one_database_statement(make_app, app, student, private_redis):
    measured = make_app(REDIS_URL=private_redis.url)
    client = measured.test_client()
    headers = bearer(AuthActions(client).sign_in(student.email)["access_token"])
    private_redis.kill()
    assert client.get(DASHBOARD, headers=headers).status_code == 200  # notices the outage
    with statement_texts(measured) as seen:
        assert client.get(DASHBOARD, headers=headers).status_code == 200
    revocation = [s for s in seen if "revoked_tokens" in s]
    assert len(revocation) == 1 and "token_generations" in revocation[0]
    assert len(seen) == 2, seen
