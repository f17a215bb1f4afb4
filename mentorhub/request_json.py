"""A request's JSON body: checked and parsed once, by C code, at a cost bounded by its size.

Everything that reads a body (the request guard, the login limit's key, webargs) calls
`request_json()`, so a body is parsed at most once however many read it. Before parsing, the
brackets are counted (too many arrays and objects are refused: a mebibyte of `[]` would cost
hundreds of milliseconds of allocation) and, past the depth limit's count, walked bracket by
bracket, never byte by byte. The C parser then refuses invalid JSON, integers past Python's
digit limit and the non-standard NaN and Infinity. What PostgreSQL cannot store (NUL, lone
surrogates) and numbers too large for a float are looked for with C-level scans, and the
document is only serialised again when one may be there.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from mentorhub.errors import BadRequest, Unprocessable

MAX_DEPTH = 32
MAX_CONTAINERS = 10_000
MALFORMED = "Malformed request body."
NO_BODY = None
_CACHE = "mentorhub.request_json"
_BRACKETS = re.compile(rb"[\[\]{}]")
# A \u0000 escape, unless its backslash is itself escaped (an odd run of backslashes).
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*+\\u0000")
# A surrogate escape (\ud800-\udfff): paired ones are fine, the serialiser below tells.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# Digits become 0 and E e, so that the only ways to an infinite float (an exponent of three
# digits, or 309 digits in a row) are plain substrings: a C-level translate and three finds.
_NUMBER_SHAPE = bytes.maketrans(b"123456789E", b"000000000e")
_HUGE_NUMBER_SHAPES = (b"e000", b"e+000", b"0" * 309)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _malformed(reason: str) -> BadRequest:
    return BadRequest(MALFORMED, {"json": [reason]})


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit`, brackets inside strings aside.

    Visits the brackets only (the caller bounds their number); quotes between two brackets
    are counted by C code to know whether a bracket lies inside a string.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    if b"\\" in body:
        # Same-length stand-ins keep every position, and leave only quotes that delimit.
        body = body.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    depth, inside, previous = 0, False, 0
    for match in _BRACKETS.finditer(body):
        position = match.start()
        inside ^= bool(body.count(b'"', previous, position) & 1)
        previous = position
        if inside:
            continue
        depth += 1 if body[position] in b"[{" else -1
        if depth > limit:
            return True
    return False


def parse_body(body: bytes) -> Any:
    """The document in `body` (NO_BODY when blank); BadRequest or Unprocessable when refused."""
    if not body.strip():
        return NO_BODY
    brackets = sum(body.count(bracket) for bracket in (b"[", b"]", b"{", b"}"))
    if brackets > 2 * MAX_CONTAINERS:
        raise _malformed(f"More than {MAX_CONTAINERS} arrays and objects.")
    if too_deep(body):
        raise _malformed(f"Nesting deeper than {MAX_DEPTH} levels.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("The body is not UTF-8.") from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise _malformed("Invalid JSON.") from None
    _check_values(body, text, document)
    return document


def _check_values(body: bytes, text: str, document: Any) -> None:
    if "\\u0000" in text and _NUL_ESCAPE.search(text):
        raise Unprocessable(errors={"json": ["Text may not contain NUL characters."]})
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise Unprocessable(
                errors={"json": ["Text may not contain unpaired surrogates."]}
            ) from None
    shapes = body.translate(_NUMBER_SHAPE)
    if any(shape in shapes for shape in _HUGE_NUMBER_SHAPES):
        try:
            json.dumps(document, allow_nan=False)
        except ValueError:
            raise _malformed("Numbers must be finite.") from None


def request_json() -> Any:
    """This request's JSON body (NO_BODY when blank), parsed on the first call only.

    Raises the same BadRequest or Unprocessable on every call for a body it refuses.
    """
    cached = request.environ.get(_CACHE)
    if cached is None:
        try:
            cached = (parse_body(request.get_data(cache=True)), None)
        except (BadRequest, Unprocessable) as error:
            cached = (None, error)
        request.environ[_CACHE] = cached
    document, error = cached
    if error is not None:
        raise error
    return document
