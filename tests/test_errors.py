"""Every error, from routing to crashes, answers in the one JSON envelope."""

from __future__ import annotations

import logging

import pytest

from mentorhub.extensions import db as _db
from mentorhub.models import User


def test_unknown_route_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    body = response.get_json()
    assert body["status_code"] == 404
    assert isinstance(body["message"], str)


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.get_json()["status_code"] == 405
    assert "POST" in response.headers["Allow"]


@pytest.fixture
def crashing_app(make_app):
    app = make_app()

    @app.post("/boom")
    def boom():
        _db.session.add(User(email="half@example.com", name="Half", password_hash="x"))
        _db.session.flush()
        raise RuntimeError("secret internal detail")

    return app


def test_crash_is_a_generic_500_that_rolls_back_and_logs(crashing_app, caplog):
    client = crashing_app.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.post("/boom")
    assert response.status_code == 500
    assert response.get_json() == {
        "status_code": 500,
        "message": "An internal error occurred. Please try again later.",
    }
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "secret internal detail" in caplog.text
    with crashing_app.app_context():
        assert _db.session.query(User).filter_by(email="half@example.com").count() == 0


def test_non_json_body_is_a_validation_error_not_a_crash(client):
    response = client.post("/api/v1/auth/register", data="email=a", content_type="text/plain")
    assert response.status_code == 422
    assert response.get_json()["status_code"] == 422


def test_json_array_body_is_a_validation_error(client):
    response = client.post("/api/v1/auth/register", json=["a"])
    assert response.status_code == 422


def test_ids_past_the_column_range_are_404_on_every_route(app, client, student, auth_headers):
    headers = auth_headers(student)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        for huge in (2**31, 2**64):
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", str(huge))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = client.open(path, method=method, headers=headers, json={})
                assert response.status_code == 404, (method, path, response.get_json())
                assert response.get_json()["status_code"] == 404
                checked += 1
    assert checked >= 16
