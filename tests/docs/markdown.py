"""Reading the project's Markdown documents: sections, code blocks, links and anchors.

The documents are plain CommonMark as GitHub renders it; these helpers only need what our
documents use (ATX headings, fenced code blocks, inline links).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.servers import ROOT

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#*$", re.M)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def documents() -> list[Path]:
    """Every document a reader follows: the README, docs/ and the benchmarks' write-up."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench/README.md"]


def without_code(text: str) -> str:
    """The text with fenced code blocks blanked out (a `#` comment there is not a heading), each
    character kept in its place."""
    return FENCE.sub(lambda block: re.sub(r"[^\n]", " ", block.group(0)), text)


def section(text: str, title: str) -> str:
    """The body of the section headed `title` (any level), up to the next heading of its level
    or above."""
    prose = without_code(text)
    for match in HEADING.finditer(prose):
        if match.group(2) == title:
            level = len(match.group(1))
            end = re.compile(rf"^#{{1,{level}}} ", re.M).search(prose, match.end())
            return text[match.end() : end.start() if end else len(text)]
    raise AssertionError(f"no section headed {title!r}")


def code_blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of `text` in `language`, in order."""
    return [body for lang, body in FENCE.findall(text) if lang == language]


def slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a document, numbered as GitHub numbers repeats (`-1`, `-2`)."""
    seen: dict[str, int] = {}
    found = set()
    for match in HEADING.finditer(without_code(text)):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def links(text: str) -> list[str]:
    """The targets of the inline links of a document, outside code blocks."""
    return LINK.findall(without_code(text))
