"""The build context by Docker's .dockerignore rules: the rules themselves, then our file.

The rule cases are the examples of Docker's own .dockerignore documentation; tests/infra
checks the same function against the context buildah really builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.docker_context import (
    IMAGE_NEEDS,
    WORKING_COPY_JUNK,
    context_files,
    excluded,
    read_patterns,
    write_working_copy,
)
from tests.support.servers import ROOT


def _left_out(dockerignore: str, path: str, tmp_path: Path) -> bool:
    (tmp_path / ".dockerignore").write_text(dockerignore)
    return excluded(path, read_patterns(tmp_path / ".dockerignore"))


@pytest.mark.parametrize(
    "path, left_out",
    [
        ("somedir/temporary.txt", True),
        ("somedir/temp", True),
        ("somedir/temp/inside.txt", True),
        ("somedir/subdir/temporary.txt", True),
        ("tempa", True),
        ("temp", False),
        ("temporary.txt", False),
        ("tempab", False),
    ],
)
def test_wildcards_stay_within_one_directory(path, left_out, tmp_path):
    rules = "# comment\n*/temp*\n*/*/temp*\ntemp?\n"
    assert _left_out(rules, path, tmp_path) is left_out


@pytest.mark.parametrize(
    "path, left_out",
    [("a.go", True), ("x/y/z.go", True), ("x/y/z.gox", False), ("go", False)],
)
def test_double_star_crosses_any_number_of_directories(path, left_out, tmp_path):
    assert _left_out("**/*.go\n", path, tmp_path) is left_out


@pytest.mark.parametrize(
    "rules, kept",
    [
        ("*.md\n!README.md\n", {"README.md", "docs/guide.md"}),
        ("*.md\n!README*.md\nREADME-secret.md\n", {"README.md", "docs/guide.md"}),
        (
            "*.md\nREADME-secret.md\n!README*.md\n",
            {"README.md", "README-secret.md", "docs/guide.md"},
        ),
    ],
)
def test_the_last_matching_line_decides(rules, kept, tmp_path):
    paths = {"README.md", "README-secret.md", "CHANGES.md", "docs/guide.md"}
    assert {path for path in paths if not _left_out(rules, path, tmp_path)} == kept


def test_patterns_are_cleaned_and_anchored_at_the_root(tmp_path):
    rules = "/build/\n./cache//\n*.db\n"
    assert _left_out(rules, "build/out.o", tmp_path)
    assert _left_out(rules, "cache/x", tmp_path)
    assert _left_out(rules, "a.db", tmp_path)
    assert not _left_out(rules, "sub/a.db", tmp_path)  # unlike .gitignore


def test_an_exception_brings_back_a_file_from_a_left_out_directory(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "keep.md").write_text("")
    (tmp_path / "docs" / "drop.md").write_text("")
    (tmp_path / ".dockerignore").write_text("docs\n!docs/keep.md\n")
    assert context_files(tmp_path) == {".dockerignore", "docs/keep.md"}


def test_our_context_leaves_out_the_junk_of_a_working_copy_and_keeps_the_app(tmp_path):
    write_working_copy(tmp_path)
    context = context_files(tmp_path)
    assert not context & set(WORKING_COPY_JUNK)
    assert set(IMAGE_NEEDS) <= context


def test_our_real_working_copy_sends_no_tests_benchmarks_or_environment():
    context = context_files(ROOT)
    assert not {path for path in context if path.split("/")[0] in ("tests", "bench", ".venv")}
    assert not {path for path in context if path.endswith((".pyc", ".db", ".sqlite"))}
    assert set(IMAGE_NEEDS) <= context
