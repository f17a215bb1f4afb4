"""Text a client may have written (a path, a query, an address), kept to the line it belongs to.

A line break in a logged value would start a new line that looks like one of ours, and terminal
controls or bidirectional overrides would disguise the rest. Every such character is written as
an escape instead: `\\n`, `\\x1b`, `\\u2028`. Multi-line text of our own (a traceback) keeps its
lines, each indented, so that no line of it can pass for the start of a record.
"""

from __future__ import annotations

import re

INDENT = "    "
# C0 and C1 controls, DEL, Unicode's line and paragraph separators, and the bidi marks,
# embeddings, overrides and isolates.
_UNSAFE = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0x061C, 0x200E, 0x200F]
_UNSAFE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPED = str.maketrans(
    {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _UNSAFE}
    | {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
)
# In a JSON line the encoder already escapes C0; these it would write raw.
_JSON_ESCAPED = str.maketrans({code: f"\\u{code:04x}" for code in _UNSAFE if code >= 0x7F})

# The same characters, found: a name or a link may not contain any of them.
UNSAFE_CHARACTERS = re.compile("[" + "".join(re.escape(chr(code)) for code in _UNSAFE) + "]")


def one_line(text: str) -> str:
    """`text` with every control, line-breaking and bidi character escaped."""
    return text.translate(_ESCAPED)


def json_line(encoded: str) -> str:
    """A JSON document's text with the characters JSON may leave raw escaped too (still JSON)."""
    return encoded.translate(_JSON_ESCAPED)


def indented(text: str) -> str:
    """Our own multi-line text, every line indented, with nothing else a line could start with."""
    return "\n".join(INDENT + one_line(line) for line in text.splitlines())
