"""The limiter and the cache use their libraries' public APIs only, so an upgrade cannot break
them silently: no private modules or attributes of flask_limiter, limits, redis or Flask-Caching.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.servers import ROOT

PACKAGE = ROOT / "mentorhub"
OWNED = [
    "ratelimit",
    "middleware",
    "cache",
    "services/cache.py",
    "services/stats.py",
    "stats/queries.py",
    "api/stats.py",
]
PRIVATE = [
    re.compile(r"(flask_limiter|limits|rq|redis|sqlalchemy|flask_caching)[a-z_.]*\._[a-z]"),
    re.compile(r"\blimiter\._[a-z]"),
    re.compile(r"extensions\[\"cache\"\]"),
    re.compile(r"\b(STRATEGIES|make_connection|send_command|read_response)\b"),
]


def sources() -> list[Path]:
    files: list[Path] = []
    for owned in OWNED:
        path = PACKAGE / owned
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_library_internals(path: Path):
    text = path.read_text()
    found = [match.group(0) for pattern in PRIVATE for match in pattern.finditer(text)]
    assert found == [], f"{path.name} reaches into a library's internals: {found}"
