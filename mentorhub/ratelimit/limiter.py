"""Flask-Limiter pieces that do the same work with less per request; behaviour is unchanged.

Flask-Limiter still picks each request's limits, applies exemptions, writes the headers and
raises the 429. These only remove work it repeats on every request (bench/LIMITER.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from flask_limiter import ApplicationLimit
from flask_limiter._limits import RuntimeLimit

# The attribute Flask-Limiter itself keeps on the request context: the two stay compatible.
CONTEXTS = "_limiter_request_context"
FIELDS = dataclasses.fields(RuntimeLimit)


class HashedOnceLimit(RuntimeLimit):
    """A parsed limit that works out its hash once: Flask-Limiter hashes it ten times a request."""

    def __post_init__(self) -> None:
        super().__post_init__()
        # The dataclass hash walks all thirteen fields each time; none changes once parsed.
        self.hash = RuntimeLimit.__hash__(self)

    def __hash__(self) -> int:
        return self.hash


class ParsedOnceLimit(ApplicationLimit):
    """An application-wide limit whose string is parsed once, not on every request."""

    # Flask-Limiter parses an application limit's string each time it resolves a request's
    # limits (about 8 us). The result is cached per limit string, so a callable provider that
    # returns one of a few strings still works.

    def __post_init__(self) -> None:
        super().__post_init__()
        self.parsed: dict[str, tuple[RuntimeLimit, ...]] = {}

    def __iter__(self) -> Iterator[RuntimeLimit]:
        provider = self.limit_provider
        limit_string = provider() if callable(provider) else provider
        parsed = self.parsed.get(limit_string)
        if parsed is None:
            # First used by a request, so after init_app has set the cost and exemptions.
            parsed = self.parsed[limit_string] = tuple(
                HashedOnceLimit(**{f.name: getattr(limit, f.name) for f in FIELDS})
                for limit in super().__iter__()
            )
        return iter(parsed)
