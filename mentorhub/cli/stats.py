"""`flask stats`: inspect and rebuild the platform counters."""

from __future__ import annotations

import click

from mentorhub.services.stats import refresh_platform_stats
from mentorhub.stats.counters import counters_stale, read_totals, rebuild_counters


@click.group("stats")
def stats() -> None:
    """Platform statistics."""


@stats.command("rebuild")
def rebuild() -> None:
    """Recount the platform counters from the tables and report any drift corrected.

    Waits for a background recount that is already running, then recounts once more.
    """
    checks = rebuild_counters(wait=True) or []
    refresh_platform_stats()
    for check in checks:
        if check.drift:
            click.echo(
                f"{check.name}: counter said {check.counted}, table has {check.actual} "
                f"(corrected by {check.drift:+d})"
            )
        else:
            click.echo(f"{check.name}: {check.actual} (exact)")
    drifted = sum(1 for check in checks if check.drift)
    if drifted:
        click.echo(f"Corrected drift in {drifted} counter(s).")
    else:
        click.echo("No drift: the counters matched the tables.")


@stats.command("show")
def show() -> None:
    """Print the platform totals as the counters hold them (no cache)."""
    for name, value in read_totals().items():
        click.echo(f"{name}: {value}")
    if counters_stale():
        click.echo("stale: a recount is pending (run `flask stats rebuild` to do it now)")
