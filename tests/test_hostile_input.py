"""Nothing a stranger sends yields a 5xx: property-based, on every surface, production-like.

Hypothesis generates requests against the app as deployed (Redis on, rate limiting on, behind a
trusted proxy): any claims in a bearer token (numbers out of range, non-finite floats, lone
surrogates, nested objects), any X-Request-ID, X-Forwarded-*, If-None-Match and
If-Modified-Since, Idempotency-Key, paths with control characters, any query string, and JSON
bodies with the edge cases of JSON numbers. Every answer must be below 500, and every 4xx the
JSON envelope. Examples are derandomised and bounded, so the suite stays fast and a failure
repeats.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorhub.auth import issue_tokens
from mentorhub.extensions import db as _db
from mentorhub.models import User
from tests.support.auth import bearer
from tests.support.hostile_input import (
    ANY_CHARACTER,
    bearer_tokens,
    header_text,
    http_dates,
    json_text,
    path_text,
    query_strings,
)
from tests.support.tables import empty_tables

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "BREW"]
BODY_KEYS = ["email", "password", "name", "mentor_id", "topic", "scheduled_time",
             "duration_minutes", "meeting_link", "rating", "comment", "recipient_id", "body",
             "preferences", "timezone", "title", "description", "amount", "currency"]  # fmt: skip
PLACEHOLDER = re.compile(r"<(?:\w+:)?\w+>")
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def bounded(examples: int):
    """Hypothesis settings: `examples` derandomised examples, no deadline, no database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture
def target(make_app):
    """The production-like app, a signed-in mentor's token and their private feed's path."""
    app = make_app(
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_REQUESTS="10000000",
        TRUSTED_PROXY_HOPS="1",
        PAYMENT_WEBHOOK_SECRET="whsec-hostile-input",
    )
    with app.app_context():
        empty_tables()
        user = User(email="mentor@example.com", name="Mia", is_mentor=True)
        user.set_password("password123")
        _db.session.add(user)
        _db.session.commit()
        token = issue_tokens(user)["access_token"]
    client = app.test_client()
    feed = client.get("/api/v1/calendar/feed", headers=bearer(token)).get_json()["url"]
    yield app, client, token, urlsplit(feed).path
    with app.app_context():
        _db.session.remove()


def routes(app) -> st.SearchStrategy[tuple[str, str]]:
    """(path, method) of any route, its placeholders filled with hostile text or numbers."""
    templates = sorted({rule.rule for rule in app.url_map.iter_rules()})

    def fill(template: str) -> st.SearchStrategy[str]:
        parts = PLACEHOLDER.split(template)
        kinds = CONVERTER.findall(template)
        values = [
            st.one_of(st.integers().map(str), path_text()) if kind == "int" else path_text()
            for kind in kinds
        ]
        return st.tuples(*values).map(
            lambda filled: "".join(p + v for p, v in zip(parts, [*filled, ""], strict=True))
        )

    path = st.sampled_from(templates).flatmap(fill)
    return st.tuples(path, st.sampled_from(METHODS))


def assert_answered(response) -> None:
    """Below 500, and a 4xx in the error envelope."""
    status = response.status_code
    assert status < 500, (status, response.get_data()[:500])
    if status >= 400 and response.request.method != "HEAD":
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and body.get("status_code") == status, response.data[:300]
        assert isinstance(body.get("message"), str)


def test_any_token_claims_on_any_route(target):
    app, client, _, _ = target

    @bounded(300)
    @given(route=routes(app), authorization=bearer_tokens())
    def run(route, authorization):
        path, method = route
        assert_answered(client.open(path, method=method, headers={"Authorization": authorization}))

    run()


def test_any_proxy_and_conditional_headers(target):
    app, client, token, feed = target
    tokens = st.sampled_from([f"Bearer {token}", ""]) | bearer_tokens()
    paths = st.sampled_from([feed, "/health", "/api/v1/auth/me", "/api/v1/sessions"])

    @bounded(200)
    @given(
        path=paths | routes(app).map(lambda route: route[0]),
        authorization=tokens,
        headers=st.fixed_dictionaries({}, optional={
            "X-Request-ID": header_text(),
            "X-Forwarded-For": header_text(),
            "X-Forwarded-Proto": header_text(),
            "X-Forwarded-Host": header_text(),
            "If-None-Match": header_text(),
            "If-Modified-Since": http_dates(),
            "If-Range": header_text(),
            "Range": header_text(),
            "Idempotency-Key": header_text(),
        }),
    )  # fmt: skip
    def run(path, authorization, headers):
        assert_answered(client.get(path, headers={"Authorization": authorization, **headers}))

    run()


def test_any_path_and_query_string(target):
    app, client, token, _ = target
    raw_paths = st.text(ANY_CHARACTER, max_size=40).map(
        lambda text: "/" + text.encode("utf-8", "surrogatepass").decode("latin-1")
    )

    @bounded(300)
    @given(route=routes(app), query=query_strings(), raw=st.none() | raw_paths)
    def run(route, query, raw):
        path, method = route
        # A raw PATH_INFO is what a lenient server would pass on: control bytes unescaped.
        environ = {"PATH_INFO": raw} if raw is not None else {}
        response = client.open(
            path, method=method, query_string=query, headers=bearer(token),
            environ_overrides=environ,
        )  # fmt: skip
        assert_answered(response)

    run()


def test_any_json_body_on_any_route(target):
    app, client, token, _ = target
    writes = routes(app).filter(lambda route: route[1] in ("POST", "PUT", "PATCH"))
    keys = st.none() | header_text()

    @bounded(400)
    @given(route=writes, body=json_text(BODY_KEYS), signed_in=st.booleans(), key=keys)
    def run(route, body, signed_in, key):
        path, method = route
        headers = {
            **(bearer(token) if signed_in else {}),
            **({"Idempotency-Key": key} if key else {}),
        }
        response = client.open(
            path, method=method, data=body.encode("utf-8", "surrogatepass"),
            content_type="application/json", headers=headers,
        )  # fmt: skip
        assert_answered(response)

    run()
