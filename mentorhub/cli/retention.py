"""`flask retention run`: prune expired revocations and old notifications now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from mentorhub.retention import run_retention_pass

retention = AppGroup("retention", help="Delete rows past their retention period.")


@retention.command("run")
@click.option(
    "--include-failed", is_flag=True, help="Also delete failed notifications past the age."
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop starting new batches after this long (default: run to the end).",
)
def run(include_failed: bool, max_seconds: float | None) -> None:
    """Run one retention pass and print what it deleted."""
    counts = run_retention_pass(max_seconds=max_seconds, include_failed=include_failed)
    for name, count in counts.items():
        click.echo(f"{name}: deleted {count}")
