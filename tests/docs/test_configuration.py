"""The configuration table in the README, `.env.example` and the code name the same variables.

The variables the code reads are found by reading the code, not listed here: every call that
reads the process environment in the Python modules, and every `${NAME}` in the entry script
and the compose file. A variable added to the code fails this test until it is documented in
both places; one documented but no longer read fails it too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.docs.markdown import section
from tests.support.servers import ROOT

VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*\Z")
# The settings modules and the server configuration beside the package, where `environ` and
# `env` are the process environment (config_env.Env wraps it).
TOP_LEVEL_MODULES = ("config.py", "config_env.py", "gunicorn.conf.py", "wsgi.py")
TOP_LEVEL_READERS = {"os.environ", "environ", "env"}
# Inside the package `environ` is a request's WSGI environ: only `os.environ` is the process's.
PACKAGE_READERS = {"os.environ"}
SHELL_READ = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
DOCUMENTED = re.compile(r"`([A-Z][A-Z0-9_]*)`")
EXAMPLE_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.M)


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` assignments, so `os.environ.get(NAME)` can be resolved."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    constants[target.id] = node.value.value
    return constants


def _names_read_by(path: Path, readers: set[str]) -> set[str]:
    """Variables a Python module reads: `reader.get("X")`, `env.int("X")`, `helper(env, "X")`,
    `os.environ["X"]` and `os.getenv("X")`, with names given directly or as module constants."""
    tree = ast.parse(path.read_text())
    constants = _string_constants(tree)
    arguments: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            receiver, _, _ = func.rpartition(".")
            if receiver in readers or func == "os.getenv":
                arguments.append(node.args[0])
            elif ast.unparse(node.args[0]) == "env" and len(node.args) > 1:
                arguments.append(node.args[1])
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in readers:
            arguments.append(node.slice)
    names = set()
    for argument in arguments:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            names.add(argument.value)
        elif isinstance(argument, ast.Name) and argument.id in constants:
            names.add(constants[argument.id])
    return {name for name in names if VARIABLE.match(name)}


def variables_read() -> dict[str, set[str]]:
    """Each variable the project reads from its environment, with the files that read it."""
    sources = [(ROOT / name, TOP_LEVEL_READERS) for name in TOP_LEVEL_MODULES]
    sources += [(path, PACKAGE_READERS) for path in sorted((ROOT / "mentorhub").rglob("*.py"))]
    found: dict[str, set[str]] = {}
    for path, readers in sources:
        for name in _names_read_by(path, readers):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for name in ("boot.sh", "compose.yaml"):
        for variable in SHELL_READ.findall((ROOT / name).read_text()):
            found.setdefault(variable, set()).add(name)
    return found


def documented_in_readme() -> set[str]:
    """The variables in the first column of the README's configuration table."""
    body = section((ROOT / "README.md").read_text(), "Configuration")
    rows = [line for line in body.splitlines() if line.startswith("| `")]
    assert rows, "the README's Configuration section has no table of variables"
    return {name for row in rows for name in DOCUMENTED.findall(row.split("|")[1])}


def listed_in_env_example() -> set[str]:
    """The variables `.env.example` sets or shows commented out at their default."""
    return set(EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))


def test_the_reader_finds_reads_of_every_kind():
    """A guard on the parser itself: each way the code reads a variable is recognised."""
    read = variables_read()
    assert "config.py" in read["MENTORHUB_ENV"]  # environ.get in load_config
    assert "config.py" in read["SMTP_PORT"]  # env.int
    assert "config.py" in read["FROM_EMAIL"]  # address(env, ...)
    assert "gunicorn.conf.py" in read["PROMETHEUS_MULTIPROC_DIR"]  # through a constant
    assert "boot.sh" in read["MIGRATE_ON_START"]
    assert not {"REQUEST_METHOD", "PATH_INFO"} & set(read)  # a WSGI environ is not the process's


def test_every_variable_read_is_in_the_readme_table():
    read = variables_read()
    missing = {name: sorted(read[name]) for name in set(read) - documented_in_readme()}
    assert not missing, f"add to the README's configuration table: {missing}"


def test_the_readme_table_documents_nothing_the_code_no_longer_reads():
    stale = documented_in_readme() - set(variables_read())
    assert not stale, f"no code reads these README variables any more: {sorted(stale)}"


def test_every_variable_read_is_in_env_example():
    read = variables_read()
    missing = {name: sorted(read[name]) for name in set(read) - listed_in_env_example()}
    assert not missing, f"add to .env.example: {missing}"


def test_env_example_lists_nothing_the_code_no_longer_reads():
    stale = listed_in_env_example() - set(variables_read())
    assert not stale, f"no code reads these .env.example variables: {sorted(stale)}"
