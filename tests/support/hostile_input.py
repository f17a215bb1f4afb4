"""Hypothesis strategies for what a stranger can send: JSON text, tokens, headers, paths, queries.

JSON is generated as text, not as Python values, so that it can hold what Python's encoder
would never write but its parser accepts: NaN and Infinity, 1e999, -0, integers past the
4,300-digit limit, lone surrogate escapes, deep nesting. Header values stay within what an HTTP
client can send (Latin-1, no line breaks); paths and queries may hold any character, escaped.
"""

from __future__ import annotations

import base64
import json
from email.utils import format_datetime
from urllib.parse import quote

from hypothesis import strategies as st

# Every code point, lone surrogates and controls included.
ANY_CHARACTER = st.characters(exclude_categories=())
# What a header value can carry over HTTP/1.1: Latin-1 without CR and LF.
HEADER_CHARACTER = st.characters(max_codepoint=0xFF, exclude_characters="\r\n")
EDGE_NUMBERS = [
    "Infinity", "-Infinity", "NaN", "1e999", "-1e999", "1E+400", "1e-99999", "-0", "-0.0",
    "0e0", "9" * 4301, "-" + "9" * 5000, "1" + "0" * 400 + ".5", "0." + "0" * 400 + "1",
    "9223372036854775808", "-9223372036854775809", "2147483648", "1.7976931348623157e308",
]  # fmt: skip
CLAIMS = ["sub", "fam", "jti", "gen", "exp", "iat", "nbf", "type", "role", "fresh", "csrf"]


def json_number() -> st.SearchStrategy[str]:
    """A JSON number as text, edge cases first among ordinary ones."""
    return st.one_of(
        st.sampled_from(EDGE_NUMBERS),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(json.dumps),
        st.integers(min_value=4200, max_value=4400).map(lambda digits: "7" * digits),
    )


def json_string() -> st.SearchStrategy[str]:
    """A JSON string literal of any characters (a lone surrogate becomes a `\\ud800` escape)."""
    return st.text(ANY_CHARACTER, max_size=24).map(json.dumps)


def json_text(keys: list[str] | None = None) -> st.SearchStrategy[str]:
    """Any JSON value as text: scalars, arrays and objects nested a few levels, or very deep."""
    scalars = st.one_of(json_number(), json_string(), st.sampled_from(["true", "false", "null"]))
    key = st.sampled_from(keys).map(json.dumps) if keys else json_string()

    def nest(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        arrays = st.lists(children, max_size=4).map(lambda items: f"[{','.join(items)}]")
        pairs = st.lists(st.tuples(key, children), max_size=4)
        objects = pairs.map(lambda kv: "{" + ",".join(f"{k}:{v}" for k, v in kv) + "}")
        return arrays | objects

    deep = st.integers(min_value=30, max_value=3000).map(lambda n: "[" * n + "]" * n)
    return st.one_of(st.recursive(scalars, nest, max_leaves=12), deep)


def json_object(keys: list[str]) -> st.SearchStrategy[str]:
    """A JSON object as text whose keys are mostly `keys`, values anything."""
    pairs = st.lists(st.tuples(st.sampled_from(keys), json_text(keys)), max_size=len(keys))
    return pairs.map(lambda kv: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in kv) + "}")


def segment(text: str) -> str:
    """One base64url segment of a token, as a JWT writes it."""
    raw = text.encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged(payload: str, header: str = '{"alg":"HS256","typ":"JWT"}') -> str:
    """An unsigned token whose header and payload are this JSON text, as sent by anyone."""
    return f"{segment(header)}.{segment(payload)}.c2lnbmF0dXJl"


def claims() -> st.SearchStrategy[str]:
    """A token payload: `sub` and `fam` of any JSON value (numbers first), other claims too."""
    value = json_number() | json_string() | json_text(CLAIMS)
    named = st.tuples(value, value).map(lambda pair: f'"sub":{pair[0]},"fam":{pair[1]}')
    more = st.lists(st.tuples(st.sampled_from(CLAIMS), value), max_size=3).map(
        lambda kv: "".join(f",{json.dumps(k)}:{v}" for k, v in kv)
    )
    objects = st.builds(lambda head, tail: "{" + head + tail + "}", named, more)
    return st.one_of(objects, json_object(CLAIMS), json_text(CLAIMS))


def bearer_tokens() -> st.SearchStrategy[str]:
    """Authorization values: forged tokens with any claims and header, or any text at all."""
    header = st.one_of(st.just('{"alg":"HS256","typ":"JWT"}'), json_object(["alg", "typ", "kid"]))
    tokens = st.builds(forged, claims(), header)
    scheme = st.sampled_from(["Bearer "] * 5 + ["bearer ", "Basic ", "Bearer  ", ""])
    anything = st.text(HEADER_CHARACTER, max_size=60)
    return st.builds(str.__add__, scheme, st.one_of(tokens, tokens, anything))


def header_text() -> st.SearchStrategy[str]:
    """Any header value an HTTP client can send."""
    return st.text(HEADER_CHARACTER, max_size=80)


def http_dates() -> st.SearchStrategy[str]:
    """If-Modified-Since values: real dates, edge years, or any text."""
    dates = st.datetimes(timezones=st.timezones()).map(lambda d: format_datetime(d, usegmt=False))
    edges = st.sampled_from(["Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                             "Thu, 01 Jan 99999 00:00:00 GMT", "-1", "0", "now"])  # fmt: skip
    return st.one_of(dates, edges, header_text())


def path_text() -> st.SearchStrategy[str]:
    """A path segment of any characters, percent-escaped as a client sends it."""
    raw = st.text(ANY_CHARACTER, min_size=1, max_size=24)
    return raw.map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe=""))


def query_strings() -> st.SearchStrategy[str]:
    """A query string of any bytes, percent-escaped, with repeated and empty keys."""
    part = st.binary(max_size=16).map(lambda raw: quote(raw, safe=""))
    pair = st.tuples(st.sampled_from(["page", "per_page", "status", "token", "before"]) | part,
                     part | st.sampled_from(["-1", "1e999", "9" * 5000, "NaN"]))  # fmt: skip
    return st.lists(pair, max_size=4).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
