"""JSON bodies built to cost a server more than they cost to send, for tests and benchmarks."""

from __future__ import annotations

MIB = 1 << 20


def empty_arrays(size: int = MIB) -> bytes:
    """`[[],[],...]`: the most containers a body of `size` bytes can hold."""
    return b"[" + b",".join([b"[]"] * ((size - 2) // 3)) + b"]"


def short_strings(size: int = MIB) -> bytes:
    """`["a[","a[",...]`: as many strings (each with a bracket inside) as fit."""
    return b"[" + b",".join([b'"a["'] * ((size - 2) // 5)) + b"]"


def shallow_nests(size: int = MIB, depth: int = 30) -> bytes:
    """Nests of arrays just under the depth limit, side by side."""
    unit = b"[" * depth + b"]" * depth
    return b"[" + b",".join([unit] * ((size - 2) // (len(unit) + 1))) + b"]"


def deep_among_strings(size: int = MIB, depth: int = 33) -> bytes:
    """One nest past the depth limit around as many strings as fit."""
    strings = b",".join([b'"q"'] * ((size - 2 * depth) // 4))
    return b"[" * depth + strings + b"]" * depth


def padded_login(unit: bytes, size: int = MIB) -> bytes:
    """A login body with a `pad` array of `unit` filling it: few brackets, many values to parse."""
    head, tail = b'{"email": "a@example.com", "password": "x", "pad": [', b"]}"
    return head + b",".join([unit] * ((size - len(head) - len(tail)) // (len(unit) + 1))) + tail


# Refused before any parsing, by their bracket count or their depth.
REFUSED_UNPARSED = {
    "empty arrays": empty_arrays,
    "short strings": short_strings,
    "shallow nests": shallow_nests,
    "deep among strings": deep_among_strings,
}
# Within the bracket budget: parsed by the C parser, then refused by the route's schema.
PARSED_BY_C = {
    "many strings": lambda: padded_login(b'"a"'),
    "many integers": lambda: padded_login(b"7"),
    "many floats": lambda: padded_login(b"1.5e5"),
}
