"""X-Request-ID: taken only from a trusted proxy and only when well formed; on every answer."""

from __future__ import annotations

import re

import pytest
from rq import Queue

from mentorhub.extensions import rq
from tests.support.auth import AuthActions

GENERATED = re.compile(r"[0-9a-f]{32}")
STATS = "/api/v1/stats/platform"


@pytest.fixture
def proxied(make_app):
    """A client of an app that sits behind one trusted proxy."""
    return make_app(TRUSTED_PROXY_HOPS="1").test_client()


def test_an_id_is_generated_per_request_without_a_proxy(client):
    first = client.get(STATS).headers["X-Request-ID"]
    second = client.get(STATS).headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


def test_a_client_cannot_choose_its_id_without_a_trusted_proxy(client):
    answer = client.get(STATS, headers={"X-Request-ID": "chosen-by-client"})
    assert GENERATED.fullmatch(answer.headers["X-Request-ID"])


def test_a_trusted_proxy_id_is_kept(proxied):
    answer = proxied.get(STATS, headers={"X-Request-ID": "lb-0a1b2c3d.42"})
    assert answer.headers["X-Request-ID"] == "lb-0a1b2c3d.42"


@pytest.mark.parametrize("supplied", ["", "two words", "a" * 129, 'quote"d', "new\\nline"])
def test_a_malformed_proxy_id_is_replaced(proxied, supplied):
    answer = proxied.get(STATS, headers={"X-Request-ID": supplied})
    assert GENERATED.fullmatch(answer.headers["X-Request-ID"])


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/no-such-thing", None, 404),
        ("delete", STATS, None, 405),
        ("get", "/api/v1/auth/me", None, 401),
        ("post", "/api/v1/auth/register", {"email": "not-an-address"}, 422),
    ],
)
def test_error_envelopes_carry_the_id(proxied, method, path, body, status):
    answer = getattr(proxied, method)(path, json=body, headers={"X-Request-ID": "err-1"})
    assert answer.status_code == status
    assert answer.json["status_code"] == status
    assert answer.headers["X-Request-ID"] == "err-1"


def test_a_refused_request_carries_the_id(make_app):
    app = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="1", RATE_LIMIT_WINDOW="600")
    client = app.test_client()
    client.get(STATS)
    answer = client.get(STATS)
    assert answer.status_code == 429
    assert GENERATED.fullmatch(answer.headers["X-Request-ID"])


def test_a_job_enqueued_by_a_request_carries_its_id(app, make_app):
    proxied_app = make_app(TRUSTED_PROXY_HOPS="1")
    client = proxied_app.test_client()
    headers = {"X-Request-ID": "signup-77"}
    AuthActions(client).sign_up("queued@example.com", name="Q", headers=headers)
    with proxied_app.app_context():
        queues: list[Queue] = list(rq.queues.values())
        jobs = [job for queue in queues for job in queue.get_jobs()]
    assert jobs, "registering should have enqueued the welcome mail"
    assert {job.meta.get("request_id") for job in jobs} == {"signup-77"}
