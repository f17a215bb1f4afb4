"""/metrics in one process: HTTP counts by route template, protection, the rate limiter's state."""

from __future__ import annotations

import pytest

from config import ProductionConfig
from mentorhub import create_app
from mentorhub.extensions import db as _db
from tests.support.environ import app_environ
from tests.support.prometheus_text import total, value
from tests.support.waiting import wait_until

STATS = "/api/v1/stats/platform"
SESSION_ROUTE = "/api/v1/sessions/<int:session_id>"


def scrape(client, **headers: str) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_are_counted_by_route_template_method_and_status(client, student, auth_headers):
    for _ in range(3):
        assert client.get(STATS).status_code == 200
    for session_id in (101, 102):
        response = client.get(f"/api/v1/sessions/{session_id}", headers=auth_headers(student))
        assert response.status_code == 404
    assert client.get("/no/such/page/42").status_code == 404

    page = scrape(client)
    requests = "mentorhub_http_requests_total"
    assert value(page, requests, route=STATS, method="GET", status="200") == 3
    # Two raw paths, one series: the template, never the id.
    assert value(page, requests, route=SESSION_ROUTE, method="GET", status="404") == 2
    assert total(page, requests, route="<unmatched>", status="404") == 1
    assert "/api/v1/sessions/101" not in page
    latency = "mentorhub_http_request_duration_seconds_count"
    assert value(page, latency, route=STATS, method="GET") == 3


def test_metrics_token_is_required_when_set(make_app):
    client = make_app(METRICS_TOKEN="scrape-token-for-tests").test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.json["status_code"] == 401
    assert refused.headers["X-Request-ID"]
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = scrape(client, Authorization="Bearer scrape-token-for-tests")
    assert "mentorhub_http_requests_total" in page


@pytest.fixture
def production_client(database_schema):
    """A test client of an app with production settings (on the test database), by METRICS_TOKEN."""
    apps = []

    def build(**environ: str):
        settings = ProductionConfig(
            app_environ(
                PUBLIC_BASE_URL="https://mentorhub.example.com", EMAIL_BACKEND="log", **environ
            )
        )
        apps.append(create_app(settings))
        return apps[-1].test_client()

    yield build
    for app in apps:
        with app.app_context():
            for engine in _db.engines.values():
                engine.dispose()


def test_in_production_metrics_are_private_by_default(production_client):
    assert production_client().get("/metrics").status_code == 404
    client = production_client(METRICS_TOKEN="scrape-token-for-tests")
    assert client.get("/metrics").status_code == 401
    page = scrape(client, Authorization="Bearer scrape-token-for-tests")
    assert "mentorhub_http_requests_total" in page


def test_metrics_can_be_switched_off(make_app):
    client = make_app(METRICS_ENABLED="false").test_client()
    response = client.get("/metrics")
    assert response.status_code == 404
    # Request ids do not depend on metrics.
    assert response.headers["X-Request-ID"]


def test_rate_limit_decisions_are_counted_and_metrics_are_never_limited(make_app):
    app = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="2", RATE_LIMIT_WINDOW="600")
    client = app.test_client()
    statuses = [client.get(STATS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    pages = [scrape(client) for _ in range(5)]
    page = pages[-1]
    assert value(page, "mentorhub_ratelimit_decisions_total", decision="allowed") == 2
    assert value(page, "mentorhub_ratelimit_decisions_total", decision="limited") == 1
    assert value(page, "mentorhub_ratelimit_fallback_active") == 0
    assert (
        value(page, "mentorhub_http_requests_total", route=STATS, method="GET", status="429") == 1
    )


def test_cache_events_are_counted_per_cache_name(client):
    assert client.get(STATS).status_code == 200
    assert client.get(STATS).status_code == 200
    page = scrape(client)
    events = "mentorhub_cache_events_total"
    # The first request found nothing and computed; the second was served from the cache.
    assert value(page, events, cache="stats:platform", event="miss") == 1
    assert value(page, events, cache="stats:platform", event="recompute") == 1
    assert value(page, events, cache="stats:platform", event="hit") == 1
    assert value(page, "mentorhub_cache_fallback_active") == 0


@pytest.mark.usefixtures("database_schema")
def test_limiter_and_cache_fallbacks_show_while_redis_is_down(make_app, private_redis):
    app = make_app(
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_REQUESTS="50",
        RATE_LIMIT_WINDOW="600",
        REDIS_URL=private_redis.url,
    )
    client = app.test_client()
    assert client.get(STATS).status_code == 200
    assert value(scrape(client), "mentorhub_ratelimit_fallback_active") == 0
    private_redis.kill()
    assert client.get(STATS).status_code == 200
    page = scrape(client)
    assert value(page, "mentorhub_ratelimit_fallback_active") == 1
    # The cache notices once its copy in this process lapses and it asks Redis again.
    wait_until(
        lambda: (
            client.get(STATS).status_code == 200
            and value(scrape(client), "mentorhub_cache_fallback_active") == 1
        ),
        10,
        "the cache to report its fallback",
    )
    # The scrape itself reports the dead queue instead of failing.
    assert value(page, "mentorhub_metrics_source_up", source="redis") == 0
    assert value(page, "mentorhub_metrics_source_up", source="database") == 1
