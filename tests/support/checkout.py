"""The repository's files as a checkout holds them, and copies of it to run documents in."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from tests.support.servers import ROOT


def repository_files() -> list[str]:
    """Paths of the working tree's files, tracked or new, that git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


def copy_checkout(target: Path, leave_out: Iterable[str] = ()) -> Path:
    """Copy the repository's files to `target`, without the top-level folders in `leave_out`."""
    skipped = set(leave_out)
    for name in repository_files():
        if name.split("/")[0] in skipped:
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target
