"""Refuse request input the app cannot store or parse safely, before any view or database work.

PostgreSQL text refuses NUL, a lone surrogate (valid JSON as `"\\ud800"`) cannot be encoded as
UTF-8, and a body can be built to cost far more to parse than to send. The JSON rules and their
bounded cost are `mentorhub.request_json`'s; this hook applies them, and refuses NUL in the path
and query string, answering in the error envelope instead of failing deep inside a view. A URL
that matches no route is left alone: its 404 needs neither its body nor its query.
"""

from __future__ import annotations

from flask import request

from mentorhub.errors import Unprocessable
from mentorhub.request_json import request_json


def check_query_and_path() -> None:
    """Raise 422 when the path or query string carries a NUL character."""
    for value in (request.path, *request.args.keys(), *request.args.values()):
        if "\x00" in value:
            raise Unprocessable(errors={"query": ["Text may not contain NUL characters."]})


def guard_request() -> None:
    """The before-request check: path, query and JSON body, on routes that exist."""
    if request.url_rule is None:
        return
    check_query_and_path()
    if request.is_json:
        request_json()
