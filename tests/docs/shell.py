"""Running a document's shell block the way a reader pastes it into a terminal."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path


def run_as_pasted(
    script: str, cwd: Path, environ: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `script` in bash, stopping at the first failing command (pipes included)."""
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=dict(environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
