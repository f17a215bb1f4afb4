"""How cache keys and values are written: any string is a key, only JSON data is a value."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from sqlalchemy import inspect as sa_inspect

# Short printable keys are kept readable in `redis-cli`; anything else is hashed. The two forms
# carry different tags, so a readable key can never equal another key's hash.
_READABLE_KEY = re.compile(r"[\x21-\x7e]{0,200}")


class CacheValueError(TypeError):
    """The value cannot be cached: only JSON data (dict, list, str, int, float, bool, None)."""


def storage_key(key: str) -> str:
    """The key as stored: distinct strings always give distinct storage keys."""
    if not isinstance(key, str):
        raise TypeError(f"cache keys must be strings, got {type(key).__name__}")
    if _READABLE_KEY.fullmatch(key):
        return "k:" + key
    # surrogatepass: a lone surrogate is still a Python string, and still a valid key.
    return "h:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def encode(value: Any) -> str:
    """JSON text for `value`, or CacheValueError naming what cannot be cached."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"), default=_refuse)
    except ValueError as error:
        raise CacheValueError(f"cache values must be JSON data: {error}") from None


def decode(text: str | None) -> Any:
    """The value back from its JSON text."""
    return None if text is None else json.loads(text)


def _refuse(obj: Any) -> Any:
    kind = type(obj).__name__
    if _is_orm_instance(obj):
        # Detached ORM instances break on first attribute access once unpickled.
        raise CacheValueError(
            f"cannot cache a {kind} ORM object: cache a dict of the fields you need instead"
        )
    raise CacheValueError(
        f"cannot cache a {kind}: cache values must be JSON data "
        "(dict, list, str, int, float, bool or None)"
    )


def _is_orm_instance(obj: Any) -> bool:
    state = sa_inspect(obj, raiseerr=False)
    return state is not None and hasattr(state, "mapper")


def argument_key(obj: Any) -> Any:
    """A stable stand-in for a non-JSON function argument in a `@cached` key."""
    name = f"{type(obj).__module__}.{type(obj).__qualname__}"
    if _is_orm_instance(obj):
        identity = sa_inspect(obj).identity
        return {"__object__": name, "identity": list(identity) if identity else repr(obj)}
    return {"__object__": name, "repr": repr(obj)}
