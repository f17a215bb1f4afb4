"""Redis keys a request will read, fetched ahead in a round trip the request makes anyway.

Every rate-limited request calls Redis once, early, for its token bucket. A check that runs
later in the same request (token revocation) names the keys it will need before that call; the
bucket's script returns their values with its answer, and the later check reads them here
instead of asking Redis a second time. Values are as Redis held them at the bucket call: the
same instant, within a request, as a separate lookup would have seen.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import has_request_context, request

_WANTED = "mentorhub.redis_prefetch.wanted"
_FETCHED = "mentorhub.redis_prefetch.fetched"


def want(keys: Sequence[str]) -> None:
    """Ask for `keys` to ride along on this request's next Redis round trip."""
    request.environ[_WANTED] = (*request.environ.get(_WANTED, ()), *keys)


def wanted() -> tuple[str, ...]:
    """The keys this request asked for and has not received yet."""
    if not has_request_context() or _FETCHED in request.environ:
        return ()
    return request.environ.get(_WANTED, ())


def record(keys: Sequence[str], values: Sequence[bytes | None]) -> None:
    """Keep the values Redis returned for `keys`, for the rest of the request."""
    request.environ[_FETCHED] = dict(zip(keys, values, strict=True))


def fetched(keys: Sequence[str]) -> list[bytes | None] | None:
    """The values fetched ahead for all of `keys`, or None when any was not fetched."""
    if not has_request_context():
        return None
    values = request.environ.get(_FETCHED)
    if values is None or any(key not in values for key in keys):
        return None
    return [values[key] for key in keys]
