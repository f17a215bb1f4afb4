"""Every error, from routing to crashes, answers in the one JSON envelope."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from sqlalchemy import text
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from mentorhub.extensions import db as _db
from mentorhub.models import User
from tests.support.run_resources import TEST_DATABASE
from tests.support.servers import ROOT


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


@pytest.fixture
def fault_app(make_app):
    """An app with routes that fail the way production does: database errors, dead backends."""
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def kill_own_backend() -> None:
        pid = _db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        TEST_DATABASE.terminate(pids=[pid])

    @app.get("/division")
    def division():
        return {"value": _db.session.execute(text("SELECT 1 / 0")).scalar()}

    @app.get("/killed-then-crash")
    def killed_then_crash():
        kill_own_backend()
        _db.session.execute(text("SELECT 1"))
        return {}

    @app.get("/killed-then-answer")
    def killed_then_answer():
        kill_own_backend()
        return {"answered": True}

    @app.get("/rate-limited")
    def rate_limited():
        raise TooManyRequests(retry_after=7)

    @app.get("/unavailable")
    def unavailable():
        raise ServiceUnavailable(retry_after=5)

    @app.get("/conflict-with-retry-after")
    def conflict_with_retry_after():
        return {"ok": True}, 200, {"Retry-After": "0"}

    return app


def test_database_error_is_one_500_envelope_with_one_logged_traceback(fault_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = fault_app.test_client().get("/division")
    assert response.status_code == 500
    assert response.get_json()["status_code"] == 500
    assert "Retry-After" not in response.headers
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "DataError" in repr(errors[0].exc_info[1])


def test_backend_terminated_mid_request_is_a_json_503_to_retry(fault_app):
    client = fault_app.test_client()
    response = client.get("/killed-then-crash")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json() == {
        "status_code": 503,
        "message": "The database connection was lost. Please try again.",
    }
    # The dead connection is gone from the pool: the next request works on a fresh one.
    assert client.get("/killed-then-answer").status_code == 200


def test_failed_teardown_rollback_keeps_the_views_answer(fault_app, caplog):
    with caplog.at_level(logging.WARNING):
        response = fault_app.test_client().get("/killed-then-answer")
    assert response.status_code == 200
    assert response.get_json() == {"answered": True}
    assert "releasing the database session failed" in caplog.text
    # The next request gets a fresh connection from the pool.
    assert fault_app.test_client().get("/division").status_code == 500


def test_an_error_escaping_flask_still_gets_the_envelope(fault_app):
    failures = [RuntimeError("teardown failed")]

    def broken_teardown(error):
        if failures:
            raise failures.pop()

    # Teardowns run last-registered first: put this one at the end of the run, after the
    # session is released, so its dead connection is not left behind for later tests.
    fault_app.teardown_appcontext_funcs.insert(0, broken_teardown)
    response = fault_app.test_client().get("/killed-then-answer")
    assert response.status_code == 500
    assert response.is_json
    assert response.get_json()["status_code"] == 500


def test_retry_after_only_on_429_and_503(fault_app):
    client = fault_app.test_client()
    assert client.get("/rate-limited").headers["Retry-After"] == "7"
    assert client.get("/unavailable").status_code == 503
    assert client.get("/unavailable").headers["Retry-After"] == "5"
    assert "Retry-After" not in client.get("/conflict-with-retry-after").headers
    assert "Retry-After" not in client.get("/division").headers


def test_rate_limited_app_sends_no_retry_after_on_success_or_500(make_app):
    app = make_app(RATE_LIMIT_ENABLED="true")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/crash")
    def crash():
        raise RuntimeError("boom")

    client = app.test_client()
    assert "Retry-After" not in client.get("/health").headers
    assert "Retry-After" not in client.get("/crash").headers


def test_openapi_module_does_not_import_the_error_handlers():
    code = "import sys, mentorhub.openapi; print('mentorhub.errors' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"
