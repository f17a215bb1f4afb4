"""`flask notifications status|retry-failed|sweep`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from mentorhub.notifications import admin as notification_admin
from mentorhub.notifications.sweep import queue_status, sweep

notifications = AppGroup("notifications", help="Inspect and repair notification delivery.")


@notifications.command("status")
def status() -> None:
    """Print notification counts by status and type, and the queue's state."""
    counts = notification_admin.counts_by_status_and_type()
    if not counts:
        click.echo("No notifications.")
    for (status_name, type_name), count in sorted(counts.items()):
        click.echo(f"{status_name:<10} {type_name:<18} {count:>8}")
    app = current_app._get_current_object()
    try:
        queue = queue_status(app, timeout=2.0)
    except Exception as error:  # noqa: BLE001 - report an unreachable Redis, do not crash
        click.echo(f"queue: unreachable ({type(error).__name__})")
        return
    if queue is None:
        click.echo("queue: none (no REDIS_URL; delivery runs in-process)")
    else:
        click.echo(
            f"queue: {queue['depth']} waiting, {queue['scheduled']} scheduled, "
            f"worker seen recently: {'yes' if queue['worker_seen_recently'] else 'no'}"
        )


@notifications.command("retry-failed")
@click.option("--id", "notification_id", type=int, help="Only this notification.")
def retry_failed(notification_id: int | None) -> None:
    """Re-queue failed notifications (all, or one by --id) for a fresh set of attempts."""
    try:
        count = notification_admin.retry_failed(notification_id)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Re-queued {count} failed notification(s).")


@notifications.command("sweep")
@click.option(
    "--older-than", type=click.FloatRange(min=0), help="Seconds overdue (default: the config's)."
)
def sweep_command(older_than: float | None) -> None:
    """Re-open lapsed claims and wake delivery for overdue rows (deliver them, without Redis)."""
    click.echo(f"Swept {sweep(older_than)} overdue notification(s).")
