"""`flask ready`: the readiness report on the command line, for container health checks."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from mentorhub.health import readiness_report


@click.command("ready")
@click.option(
    "--require",
    "required",
    multiple=True,
    help="A check that must be up (repeatable), e.g. --require worker for a worker container.",
)
@click.option("--strict", is_flag=True, help="Every configured check must be up.")
@with_appcontext
def ready(required: tuple[str, ...], strict: bool) -> None:
    """Print the readiness report; exit 1 when the instance cannot serve or a requirement fails."""
    report = readiness_report()
    click.echo(json.dumps({"status": report.status, "checks": report.checks}, sort_keys=True))
    unknown = sorted(set(required) - set(report.checks))
    if unknown:
        raise click.UsageError(f"unknown check(s): {', '.join(unknown)}")
    failed = [name for name in required if report.checks[name]["status"] != "up"]
    if report.status == "not_ready" or (strict and report.status != "ready") or failed:
        raise SystemExit(1)
