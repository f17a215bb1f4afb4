"""What the documents point at exists: links and anchors, files and modules, make targets.

External (http) links are not fetched: the suite runs without the network.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.docs.markdown import anchors, code_blocks, documents, links, section, without_code
from tests.support.servers import ROOT

CODE_SPAN = re.compile(r"`([^`\n]+)`")
# A path into the repository, as the documents write them: `mentorhub/mail/smtp.py`, `tests/`.
REPO_PATH = re.compile(
    r"(?<![\w/.-])((?:mentorhub|tests|bench|tools|deploy|migrations|docs)/[\w./-]*)"
)
DOTTED = re.compile(r"(?<![\w/.@-])(mentorhub(?:\.\w+)+)")
MAKE = re.compile(r"(?:^|\s|`)make ([a-z][\w-]*)", re.M)
TARGET = re.compile(r"^([a-z][\w-]*):", re.M)


# The deployment guide is written beside this one and merged separately. Once it exists, the
# test below fails: delete it from here, and its links are checked like every other.
def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _code_spans(text: str) -> list[str]:
    return CODE_SPAN.findall(without_code(text))


@pytest.mark.parametrize("doc", documents(), ids=_doc_id)
def test_every_link_and_anchor_resolves(doc: Path):
    text = doc.read_text()
    broken = []
    for target in links(text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not fetched
        path, _, anchor = target.partition("#")
        destination = (doc.parent / unquote(path)).resolve() if path else doc
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(destination.read_text()):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, broken


@pytest.mark.parametrize("doc", documents(), ids=_doc_id)
def test_every_path_named_exists(doc: Path):
    text = without_code(doc.read_text())
    named = {match.rstrip(".,:;") for match in REPO_PATH.findall(text)}
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, missing


@pytest.mark.parametrize("doc", documents(), ids=_doc_id)
def test_every_module_named_imports(doc: Path):
    missing = []
    for span in _code_spans(doc.read_text()):
        for dotted in DOTTED.findall(span):
            if not _resolves(dotted):
                missing.append(dotted)
    assert not missing, missing


def _resolves(dotted: str) -> bool:
    """Whether `dotted` is a module, or an attribute of the longest module prefix of it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_the_layout_lists_only_what_exists():
    layout = code_blocks(section((ROOT / "README.md").read_text(), "Layout"), "")
    assert layout, "the README's Layout section has no tree"
    parent, missing = "", []
    for line in layout[0].splitlines():
        indent = len(line) - len(line.lstrip())
        name = line.split()[0]
        path = name if indent == 0 else f"{parent}{name}"
        if indent == 0:
            parent = name
        if not (ROOT / path).exists():
            missing.append(path)
    assert not missing, missing


def _targets() -> list[str]:
    return TARGET.findall((ROOT / "Makefile").read_text())


def test_every_make_target_has_its_help_line():
    makefile = (ROOT / "Makefile").read_text()
    undocumented = [t for t in _targets() if not re.search(rf"^## {t}: \S", makefile, re.M)]
    assert not undocumented, f"give these targets a `## name: what it does` line: {undocumented}"


def test_the_readme_names_every_make_target_and_bench_readme_the_benchmarks():
    readme = (ROOT / "README.md").read_text()
    bench = (ROOT / "bench/README.md").read_text()
    assert "(bench/README.md)" in readme
    missing = [
        target
        for target in _targets()
        if f"make {target}`" not in (bench if target.startswith("bench-") else readme)
    ]
    assert not missing, f"document these make targets: {missing}"


@pytest.mark.parametrize("doc", documents(), ids=_doc_id)
def test_every_make_target_named_exists(doc: Path):
    text = doc.read_text()
    code = " ".join([*_code_spans(text), *code_blocks(text, "sh")])
    named = {name for name in MAKE.findall(code) if not name.endswith("-")}
    unknown = sorted(named - set(_targets()))
    assert not unknown, unknown
