"""Which files a Docker build context holds, by Docker's own `.dockerignore` rules (not git's).

Docker never reads .gitignore. Its rules, as its builders apply them:
- each line is trimmed; `#` lines and blank lines are skipped; `!` makes an exception;
- a pattern is cleaned like a path (`./a//b/` is `a/b`) and a leading `/` is dropped: every
  pattern is anchored at the context's root, so `*.db` leaves out `a.db` but not `x/a.db`;
- `*` and `?` never cross a `/`; `**` crosses any number of directories, none included;
  `[...]` is a character class and `\\` escapes the next character;
- a pattern that matches a directory leaves out everything in it;
- the last pattern that matches a path decides.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import ROOT

# What may lie around a working copy and must never reach an image.
WORKING_COPY_JUNK = [
    ".hypothesis/examples/ab12/cd34",
    ".import_linter_cache/mentorhub.json",
    "email-previews/welcome.html",
    "mentorhub.db",
    "instance/mentorhub.db",
    "mentorhub/leftover.db",
    "scratch.sqlite",
    "migrations/scratch.sqlite3",
    "mentorhub/__pycache__/app_setup.cpython-311.pyc",
    ".env",
    ".env.production",
    ".venv/bin/python",
    ".pytest_cache/v/cache/lastfailed",
    "tests/conftest.py",
    "bench/chaos.py",
    "docs/deploy.md",
    "deploy/nginx/mentorhub.conf",
]
# What the image runs.
IMAGE_NEEDS = [
    "wsgi.py",
    "config.py",
    "gunicorn.conf.py",
    "mentorhub/serving/listener_drain.py",
    "boot.sh",
    "requirements.txt",
    "migrations/env.py",
    "mentorhub/__init__.py",
    "mentorhub/templates/email/base.html",
]
# Characters with a meaning in a regular expression but none in a Docker pattern.
LITERAL = set(".+()|{}$")


@dataclass
class Pattern:
    """One cleaned .dockerignore line, compiled the way Docker compiles it."""

    text: str
    exception: bool

    def __post_init__(self) -> None:
        self.kind, self.regex = _compile(self.text)

    def matches(self, path: str) -> bool:
        """Whether the pattern itself matches `path` (no parent directories considered)."""
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        return self.regex.match(path) is not None


def _compile(text: str) -> tuple[str, re.Pattern | None]:
    """Docker's translation: an exact, prefix (`a/**`) or suffix (`**/a`) test, or a regex."""
    kind, regex, i, token = "exact", "^", 0, 0
    while i < len(text):
        char = text[i]
        i += 1
        if char == "*" and text[i : i + 1] == "*":
            i += 1
            if text[i : i + 1] == "/":
                i += 1
            if i < len(text):
                regex, kind = regex + "(.*/)?", "regex"
            elif kind == "exact":
                kind = "prefix"
            else:
                regex, kind = regex + ".*", "regex"
            if token == 0:
                kind = "suffix"
        elif char == "*":
            regex, kind = regex + "[^/]*", "regex"
        elif char == "?":
            regex, kind = regex + "[^/]", "regex"
        elif char in LITERAL:
            regex += "\\" + char
        elif char == "\\":
            if i < len(text):
                regex, kind = regex + "\\" + text[i], "regex"
                i += 1
            else:
                regex += "\\\\"
        elif char in "[]":
            regex, kind = regex + char, "regex"
        else:
            regex += char
        token += 1
    return kind, re.compile(regex + "$") if kind == "regex" else None


def read_patterns(dockerignore: Path) -> list[Pattern]:
    """The patterns of a .dockerignore file, in order, cleaned as Docker cleans them."""
    patterns = []
    for line in dockerignore.read_text(encoding="utf-8-sig").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        exception = text.startswith("!")
        if exception:
            text = text[1:].strip()
        text = posixpath.normpath(text)
        if len(text) > 1 and text.startswith("/"):
            text = text.lstrip("/") or "/"
        patterns.append(Pattern(text, exception))
    return patterns


def excluded(path: str, patterns: list[Pattern]) -> bool:
    """Whether the build context leaves out `path` (slash-separated, relative to the root)."""
    parents = posixpath.dirname(path).split("/") if "/" in path else []
    left_out = False
    for pattern in patterns:
        # An exception can only bring back what is left out, and the reverse.
        if pattern.exception != left_out:
            continue
        hit = pattern.matches(path) or any(
            pattern.matches("/".join(parents[: n + 1])) for n in range(len(parents))
        )
        if hit:
            left_out = not pattern.exception
    return left_out


def context_files(root: Path) -> set[str]:
    """Every file under `root` that a build of `root` sends to the builder."""
    patterns = read_patterns(root / ".dockerignore")
    # Without exceptions nothing inside a left-out directory can come back: skip it whole.
    prune = not any(pattern.exception for pattern in patterns)
    kept: set[str] = set()
    for directory, subdirectories, files in os.walk(root):
        relative = Path(directory).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        if prune:
            subdirectories[:] = [d for d in subdirectories if not excluded(prefix + d, patterns)]
        kept.update(prefix + name for name in files if not excluded(prefix + name, patterns))
    return kept


def write_working_copy(directory: Path) -> None:
    """Our .dockerignore, and an empty file for each path of the junk and of what is needed."""
    shutil.copy(ROOT / ".dockerignore", directory / ".dockerignore")
    for path in WORKING_COPY_JUNK + IMAGE_NEEDS:
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_text("")
