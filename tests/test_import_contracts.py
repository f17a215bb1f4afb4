"""The layering contract places every module of mentorhub/: a new one cannot be left outside it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERED = "Entry points over domain services over feature packages over the foundations"


def top_level_modules() -> set[str]:
    """Every module and package directly under mentorhub/, as a dotted name."""
    names = set()
    for path in (ROOT / "mentorhub").iterdir():
        if path.suffix == ".py" and path.name != "__init__.py":
            names.add(f"mentorhub.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            names.add(f"mentorhub.{path.name}")
    return names


def layered_modules() -> set[str]:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [c for c in settings["tool"]["importlinter"]["contracts"] if c["name"] == LAYERED]
    return {name.strip() for layer in contract["layers"] for name in layer.split("|")}


def test_every_module_of_the_package_has_a_layer():
    assert top_level_modules() - layered_modules() == set()


def test_the_layers_name_only_modules_that_exist():
    assert layered_modules() - top_level_modules() == set()
