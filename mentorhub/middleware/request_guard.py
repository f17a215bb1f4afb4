"""Refuse request input the app cannot store or parse safely, before any view or database work.

PostgreSQL text refuses NUL, a lone surrogate (valid JSON as `"\\ud800"`) cannot be encoded as
UTF-8, and Python's JSON parser recurses once per nesting level, so a small deeply nested body
would exhaust the stack. All three are answered here in the error envelope instead of failing
deep inside a view.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from mentorhub.errors import BadRequest, Unprocessable

MAX_JSON_DEPTH = 32
MALFORMED = "Malformed request body."
# A JSON string (escapes included) or a bracket; brackets inside strings do not nest.
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the raw JSON body nests arrays/objects deeper than `limit` (no parsing)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def unstorable_text(value: str) -> str | None:
    """Why the database cannot store `value` as text, or None when it can."""
    if "\x00" in value:
        return "Text may not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Text may not contain unpaired surrogates."
    return None


def _first_unstorable(value: Any) -> str | None:
    if isinstance(value, str):
        return unstorable_text(value)
    if isinstance(value, dict):
        items = [item for pair in value.items() for item in pair]
    elif isinstance(value, list):
        items = value
    else:
        return None
    return next((reason for item in items if (reason := _first_unstorable(item))), None)


def check_json_body(body: bytes) -> None:
    """Raise 400 for a body too deep or not UTF-8 JSON, 422 for text the database refuses."""
    if json_too_deep(body):
        raise BadRequest(MALFORMED, {"json": [f"Nesting deeper than {MAX_JSON_DEPTH} levels."]})
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(MALFORMED, {"json": ["The body is not UTF-8."]}) from None
    # Only escapes (\u0000, \ud800) or raw NUL characters can produce the refused text, so
    # the common body is checked without a second parse.
    if "\\u" not in text and "\x00" not in text:
        return
    try:
        document = json.loads(text)
    except ValueError:
        raise BadRequest(MALFORMED, {"json": ["Invalid JSON."]}) from None
    reason = _first_unstorable(document)
    if reason:
        raise Unprocessable(errors={"json": [reason]})


def check_query_and_path() -> None:
    """Raise 422 when the path or query string carries a NUL character."""
    for value in (request.path, *request.args.keys(), *request.args.values()):
        if "\x00" in value:
            raise Unprocessable(errors={"query": ["Text may not contain NUL characters."]})


def guard_request() -> None:
    """The before-request check: path, query and JSON body."""
    check_query_and_path()
    if request.is_json:
        check_json_body(request.get_data(cache=True))
