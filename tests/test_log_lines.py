"""A request cannot forge a log line, and the secrets URLs carry never reach one.

Paths, query strings and addresses are the client's text: a line break in them must not start a
new line that looks like ours, in text format as in JSON. Calendar-feed and unsubscribe tokens
are the credentials of their URLs, masked wherever a URL is written: the app's own lines at
every level, and gunicorn's access lines.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from tests.support.gunicorn import Gunicorn
from tests.support.http import request

FORGED = "2030-01-01 00:00:00,000 ERROR mentorhub.auth [-]: admin signed in"
# What a text line of ours starts with; every line of a record after its first is indented.
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) ")
FEED_TOKEN = "Zm9vYmFyYmF6cXV4LXNlY3JldC1mZWVkLXRva2VuLTEyMzQ1"
UNSUBSCRIBE_TOKEN = "eyJ1IjoxLCJ0IjoibmV3X21lc3NhZ2UifQ.unsubscribe-signature"
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]


def hostile_paths() -> list[str]:
    """Paths whose decoded text holds a line break (each kind) and then a forged line."""
    return [f"/api/v1/calendar/x{quote(brk + FORGED)}.ics" for brk in BREAKS]


def drive(app) -> None:
    """Requests whose lines carry the client's text: past its one request, each refused 429
    is logged with its path (and at DEBUG every request is)."""
    client = app.test_client()
    for path in [*hostile_paths(), "/api/v1/x" + quote("\x1b[2J\u202e")]:
        client.get(path)
    client.get(f"/api/v1/calendar/{FEED_TOKEN}.ics")
    client.get(f"/api/v1/notifications/unsubscribe?token={UNSUBSCRIBE_TOKEN}")


def limited_app(make_app, **environ: str):
    """An app that lets each client one request, then answers 429 (and logs the path)."""
    return make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="1", **environ)


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_text_lines_cannot_be_forged_and_hide_url_tokens(make_app, capfd, level):
    drive(limited_app(make_app, LOG_LEVEL=level))
    err = capfd.readouterr().err
    lines = err.split("\n")[:-1]
    assert len(lines) >= len(BREAKS)
    for line in lines:
        assert TEXT_LINE.match(line) or line.startswith("    "), line
    assert not any(line.startswith(FORGED) for line in lines)
    assert "\\n" + FORGED in err and "\\u2028" + FORGED in err
    for raw in ("\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x1b", "\u202e"):
        assert raw not in err
    assert FEED_TOKEN not in err and "unsubscribe-signature" not in err


def test_json_lines_are_one_object_each_whatever_the_path_holds(make_app, capfd):
    drive(limited_app(make_app, LOG_FORMAT="json", LOG_LEVEL="DEBUG"))
    err = capfd.readouterr().err
    lines = err.split("\n")[:-1]
    entries = [json.loads(line) for line in lines]
    assert any(FORGED in entry["message"] for entry in entries)
    # Python (and many log shippers) also split lines at these: they stay escaped.
    for raw in ("\x85", "\u2028", "\u2029", "\x1b", "\u202e"):
        assert raw not in err
    assert len(err.splitlines()) == len(lines)
    assert FEED_TOKEN not in err and "unsubscribe-signature" not in err


def test_gunicorn_access_lines_mask_url_tokens_and_carry_the_request_id(
    database_schema, redis_client, tmp_path
):
    server = Gunicorn(tmp_path, workers=1).start()
    try:
        status, headers, _ = request(server.port, "GET", f"/api/v1/calendar/{FEED_TOKEN}.ics")
        assert status == 404
        unsubscribe = f"/api/v1/notifications/unsubscribe?token={UNSUBSCRIBE_TOKEN}"
        status, _, _ = request(server.port, "GET", unsubscribe)
        assert status == 400
    finally:
        server.stop()
    access = [
        line for line in server.server_log.read_text().splitlines() if '"GET /api/v1/' in line
    ]
    assert len(access) == 2, access
    assert "/api/v1/calendar/[REDACTED].ics" in access[0]
    assert access[0].endswith(headers["X-Request-ID"])
    logs = server.logs()
    assert FEED_TOKEN not in logs and "unsubscribe-signature" not in logs
