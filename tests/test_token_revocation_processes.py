"""A logout served by one gunicorn process is honoured by another on its very next request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.auth import AuthActions, bearer
from tests.support.gunicorn import Gunicorn
from tests.support.http import LiveClient


@pytest.fixture
def two_servers(app, student, tmp_path) -> Iterator[tuple[LiveClient, LiveClient]]:
    """Two single-worker gunicorn servers on the suite's database and Redis."""
    # As production runs: the revocation keys ride on the limiter's round trip.
    limited = {"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_REQUESTS": "100000"}
    servers = [Gunicorn(tmp_path / name, workers=1, **limited) for name in ("one", "other")]
    try:
        for server in servers:
            server.start(wait=False)
        for server in servers:
            server.wait()
        yield LiveClient(servers[0].base_url), LiveClient(servers[1].base_url)
    finally:
        for server in servers:
            server.stop()


def _status(client: LiveClient, method: str, path: str, token: str) -> int:
    return client.open(method, path, headers=bearer(token)).status_code


@pytest.mark.slow
def test_logout_and_logout_all_in_one_process_hold_in_another_at_once(two_servers, student):
    one, other = two_servers
    sign_in_one, sign_in_other = AuthActions(one).sign_in, AuthActions(other).sign_in
    tokens = sign_in_one(student.email)
    assert _status(other, "GET", "/api/v1/auth/me", tokens["access_token"]) == 200

    assert _status(one, "POST", "/api/v1/auth/logout", tokens["access_token"]) == 200
    assert _status(other, "GET", "/api/v1/auth/me", tokens["access_token"]) == 401
    assert _status(other, "POST", "/api/v1/auth/refresh", tokens["refresh_token"]) == 401

    first, second = sign_in_other(student.email), sign_in_one(student.email)
    assert _status(one, "POST", "/api/v1/auth/logout-all", first["access_token"]) == 200
    for token in (first["access_token"], second["access_token"]):
        assert _status(other, "GET", "/api/v1/stats/dashboard", token) == 401
    assert (
        _status(other, "GET", "/api/v1/auth/me", sign_in_other(student.email)["access_token"])
        == 200
    )
