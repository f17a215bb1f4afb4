"""Log lines: LOG_FORMAT=json under gunicorn parses line by line, carries ids, hides secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from config import ConfigError, load_config
from tests.support.gunicorn import Gunicorn
from tests.support.http import request
from tests.support.waiting import wait_until

PASSWORD = "Sup3r-Secret-Passw0rd"
WRONG_PASSWORD = "Wr0ng-Guess-Passw0rd"
EMAIL = "json.logs@example.com"


@pytest.fixture(scope="module")
def server(database_schema, redis_client, tmp_path_factory) -> Iterator[Gunicorn]:
    """gunicorn (2 workers) logging JSON at DEBUG, behind a trusted proxy."""
    redis_client.flushdb()
    gunicorn = Gunicorn(
        tmp_path_factory.mktemp("gunicorn-json"),
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
        TRUSTED_PROXY_HOPS="1",
    )
    gunicorn.start()
    yield gunicorn
    gunicorn.stop()


def call(server: Gunicorn, method: str, path: str, request_id: str, **kwargs):
    headers = {"X-Request-ID": request_id, **kwargs.pop("headers", {})}
    status, answer_headers, body = request(server.port, method, path, headers=headers, **kwargs)
    assert answer_headers["X-Request-ID"] == request_id
    return status, json.loads(body) if body else None


def test_json_lines_parse_carry_ids_and_never_hold_secrets(server):
    credentials = {"email": EMAIL, "password": PASSWORD}
    status, _ = call(server, "POST", "/api/v1/auth/register", "json-register", body={
        **credentials, "name": "Json Logs"})  # fmt: skip
    assert status == 201
    status, tokens = call(server, "POST", "/api/v1/auth/login", "json-login", body=credentials)
    assert status == 200
    token = tokens["access_token"]
    status, me = call(
        server, "GET", "/api/v1/auth/me", "json-me", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200
    # Secrets where a request line would print them: the query string.
    status, _ = call(
        server, "GET", f"/api/v1/auth/me?access_token={token}&password={PASSWORD}", "json-query"
    )
    assert status == 401
    wrong = {"email": EMAIL, "password": WRONG_PASSWORD}
    status, _ = call(server, "POST", "/api/v1/auth/login", "json-wrong", body=wrong)
    assert status == 401

    lines = [line for line in server.app_log.read_text().splitlines() if line.strip()]
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON log line: {line!r}")
    assert all({"timestamp", "level", "logger", "message", "request_id"} <= set(e) for e in entries)
    by_id = {}
    for entry in entries:
        by_id.setdefault(entry["request_id"], []).append(entry)
    # Every request above wrote at least its request line, under its own id.
    for request_id in ("json-register", "json-login", "json-me", "json-query", "json-wrong"):
        assert by_id.get(request_id), (request_id, entries)
    assert any(e.get("user_id") == str(me["id"]) for e in by_id["json-me"])
    assert any("failed login" in e["message"] for e in by_id["json-wrong"])
    text = server.app_log.read_text()
    for secret in (PASSWORD, WRONG_PASSWORD, token, token.split(".")[-1]):
        assert secret not in text


def test_gunicorns_own_lines_are_json_objects_with_the_request_id(server):
    feed_token = "Zm9vYmFyYmF6cXV4LXNlY3JldC1mZWVkLXRva2VuLTEyMzQ1"
    status, _ = call(server, "GET", f"/api/v1/calendar/{feed_token}.ics", "json-feed")
    assert status == 404
    unsubscribe = "/api/v1/notifications/unsubscribe?token=eyJ1IjoxfQ.unsubscribe-signature"
    status, _ = call(server, "GET", unsubscribe, "json-unsubscribe")
    assert status == 400
    # gunicorn writes an access line once the answer is sent.
    wait_until(lambda: "json-unsubscribe" in server.server_log.read_text(), 10, "access line")

    entries = []
    for line in server.server_log.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            pytest.fail(f"gunicorn wrote a line that is not JSON: {line!r}")
    by_logger = {}
    for entry in entries:
        by_logger.setdefault(entry["logger"], []).append(entry)
    assert any("Booting worker" in e["message"] for e in by_logger["gunicorn.error"])
    access = {e["request_id"]: e for e in by_logger["gunicorn.access"]}
    assert access["json-feed"]["status"] == 404
    assert access["json-feed"]["path"] == "/api/v1/calendar/[REDACTED].ics"
    assert access["json-unsubscribe"]["method"] == "GET"
    for text in (server.server_log.read_text(), server.app_log.read_text()):
        assert feed_token not in text and "unsubscribe-signature" not in text


def test_the_default_text_lines_carry_the_request_id(make_app, capfd):
    client = make_app().test_client()
    response = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": "nope-123"})
    assert response.status_code == 401
    request_id = response.headers["X-Request-ID"]
    err = capfd.readouterr().err
    assert f"WARNING mentorhub.services.accounts [{request_id}]: failed login" in err
    assert "nope-123" not in err


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_config("testing", {"LOG_FORMAT": "xml"})
