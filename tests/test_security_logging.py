"""Security events are logged at WARNING with the client address, never with secrets."""

from __future__ import annotations

import logging

ADDRESS = "203.0.113.9"


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_failed_login_is_logged_without_the_password(client, student, caplog):
    caplog.set_level(logging.WARNING)
    response = client.post(
        "/api/v1/auth/login",
        json={"email": student.email, "password": "guess-Hunter2"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.status_code == 401
    messages = _warnings(caplog)
    assert any("failed login" in m and ADDRESS in m for m in messages)
    assert "guess-Hunter2" not in caplog.text


def test_bad_token_is_logged_without_the_token(client, caplog):
    caplog.set_level(logging.WARNING)
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    response = client.get(
        "/api/v1/auth/me",
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.status_code == 401
    assert any("rejected token" in m and ADDRESS in m for m in _warnings(caplog))
    assert token not in caplog.text


def test_rate_limited_request_is_logged_with_the_address(make_app, caplog):
    app = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="2", RATE_LIMIT_WINDOW="600")
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    statuses = [
        client.get("/api/v1/stats/platform", environ_base={"REMOTE_ADDR": ADDRESS}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert any("rate limit" in m and ADDRESS in m for m in _warnings(caplog))
