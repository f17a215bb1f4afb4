"""Hostile JSON (NUL, lone surrogates, deep nesting) is a 400/422 envelope on every JSON route.

The routes are walked from `app.url_map`, their bodies filled from the OpenAPI document, so a new
route is covered without touching this file.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from mentorhub.extensions import api
from mentorhub.extensions import db as _db

NUL = "a\u0000b"
SURROGATE = "x\ud800y"
WRITE_METHODS = {"POST", "PUT", "PATCH"}


def _json_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & WRITE_METHODS):
            path = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
            routes.append((method, path, rule.rule))
    return routes


def _properties(method: str, rule: str) -> dict:
    """The request body's properties for this route, from the OpenAPI document."""
    spec = api.spec.to_dict()
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    schema = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return schema.get("properties", {})


def _body_with(text: str, properties: dict) -> dict:
    """A body whose every string (and a key) carries `text`; other fields get plausible values."""
    plausible = {"integer": 1, "number": 1, "boolean": True}
    body: dict = {text: text}
    for name, prop in properties.items():
        kind = prop.get("type", "string")
        if kind == "array":
            body[name] = [text]
        elif kind == "object":
            body[name] = {text: text}
        else:
            body[name] = plausible.get(kind, text)
    return body


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _hostile_bodies(properties: dict) -> dict[str, str]:
    valid_fields = json.dumps({name: 1 for name in properties})[1:-1]
    deep_field = "{" + valid_fields + (", " if valid_fields else "") + '"x": ' + _deep(970) + "}"
    return {
        "nul": json.dumps(_body_with(NUL, properties)),
        "surrogate": json.dumps(_body_with(SURROGATE, properties)),
        "deep array": _deep(970),
        "deep field": deep_field,
        "invalid utf-8": '{"name": "\xff"}',
    }


@pytest.fixture
def statements(app):
    """Count the SQL statements the app sends while the test runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_every_json_route_answers_hostile_bodies_before_touching_the_database(
    app, client, student, auth_headers, statements
):
    headers = {**auth_headers(student), "Content-Type": "application/json"}
    statements.clear()
    answers = []
    routes = _json_routes(app)
    assert len(routes) >= 15
    for method, path, rule in routes:
        for name, body in _hostile_bodies(_properties(method, rule)).items():
            data = body.encode("utf-8", "surrogatepass") if name != "invalid utf-8" else b"\xff"
            response = client.open(path, method=method, data=data, headers=headers)
            answers.append((method, path, name, response.status_code))
            assert response.status_code in (400, 422), (method, path, name, response.get_json())
            assert response.get_json()["status_code"] == response.status_code
    assert not statements, statements[:3]
    assert {status for *_, status in answers} <= {400, 422}


def test_nul_in_a_registration_is_a_422_in_the_envelope(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "nul@example.com", "password": "password123", "name": NUL},
    )
    assert response.status_code == 422
    assert response.get_json() == {
        "status_code": 422,
        "message": "Validation failed.",
        "errors": {"json": ["Text may not contain NUL characters."]},
    }


def test_lone_surrogate_in_a_booking_topic_is_a_422(client, student, mentor, auth_headers):
    body = json.dumps(
        {
            "mentor_id": mentor.id,
            "topic": SURROGATE,
            "scheduled_time": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "duration_minutes": 60,
        }
    )
    response = client.post(
        "/api/v1/sessions",
        data=body,
        headers={**auth_headers(student), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": ["Text may not contain unpaired surrogates."]}


def test_deep_nesting_is_refused_without_parsing(client):
    response = client.post("/api/v1/auth/login", data=_deep(5_000), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Nesting deeper than 32 levels."]}


def test_nul_in_the_query_string_is_a_422(client, student, auth_headers):
    response = client.get("/api/v1/sessions?status=a%00b", headers=auth_headers(student))
    assert response.status_code == 422


def test_ordinary_text_brackets_and_escaped_pairs_still_pass(client):
    name = "[" * 40 + " \U0001f600 é"
    body = json.dumps({"email": "ok@example.com", "password": "password123", "name": name})
    assert "\\ud83d\\ude00" in body  # an escaped surrogate pair is valid text
    response = client.post("/api/v1/auth/register", data=body, content_type="application/json")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == name
