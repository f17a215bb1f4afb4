"""The chaos run's accounting: what the clients saw, what the mail server got, what the rows say."""

from __future__ import annotations

import re
from collections import Counter

from tests.support.databases import Database
from tests.support.smtp import MailSink
from tests.support.traffic import Tally

# Final states a row reaches on purpose: a moved or cancelled session's reminder, a user's opt-out.
BY_DESIGN = ("cancelled", "expired", "skipped")
# The last line of a traceback: a dotted exception name, a colon, the message.
EXCEPTION_LINE = re.compile(r"^((?:[A-Za-z_]\w*\.)*[A-Z]\w*): (.*)$")
NOTIFICATION_ID = re.compile(r"<notification-(\d+)@")


def by_notification(smtp: MailSink) -> tuple[Counter[int], int]:
    """Receipts per notification id, and how many messages carried no such Message-ID."""
    counts: Counter[int] = Counter()
    strangers = 0
    for message_id, count in smtp.copies().items():
        match = NOTIFICATION_ID.match(message_id)
        if match:
            counts[int(match.group(1))] += count
        else:
            strangers += count
    return counts, strangers


def email_rows(db: Database) -> list[tuple]:
    """(id, type, status, due now?) of every email notification."""
    return db.execute(
        "SELECT id, type, status, (send_after IS NULL OR send_after <= now()) AS due"
        " FROM notifications WHERE channel = 'email'"
    )


def undrained(db: Database) -> int:
    """Due email rows still waiting to be sent (pending, or claimed by a worker)."""
    return db.execute(
        "SELECT count(*) FROM notifications WHERE channel = 'email'"
        " AND status IN ('pending', 'sending') AND (send_after IS NULL OR send_after <= now())"
    )[0][0]


def mail_figures(db: Database, smtp: MailSink) -> dict:
    """Delivered, duplicates and lost, matching the server's Message-IDs to the rows."""
    rows = email_rows(db)
    received, strangers = by_notification(smtp)
    by_status = Counter(status for _, _, status, _ in rows)
    ids = {row_id for row_id, *_ in rows}
    expected = {row_id for row_id, _, status, due in rows if due and status not in BY_DESIGN}
    waiting = {r for r, _, status, due in rows if due and status in ("pending", "sending")}
    return {
        "email rows": len(rows),
        "by status": dict(by_status),
        "scheduled for later": sum(1 for *_, due in rows if not due),
        "expected (due, not closed by design)": len(expected),
        "delivered (unique Message-IDs matched to rows)": len(set(received) & ids),
        "duplicates (extra copies received)": sum(n - 1 for n in received.values() if n > 1),
        "notifications received more than once": sum(1 for n in received.values() if n > 1),
        "lost (expected, never received, not waiting)": len(expected - set(received) - waiting),
        "stranded (still pending or sending)": len(waiting),
        "failed rows": by_status.get("failed", 0),
        "received but row not marked sent": sum(
            1 for r, _, status, _ in rows if r in received and status != "sent"
        ),
        "marked sent but never received": sum(
            1 for r, _, status, _ in rows if status == "sent" and r not in received
        ),
        "received without a notification Message-ID": strangers
        + sum(n for r, n in received.items() if r not in ids),
    }


def slowest_mail(db: Database, t0_epoch: float, count: int = 5) -> list[str]:
    """The last mails sent: what held the drain back (attempts, the error before success)."""
    rows = db.execute(
        "SELECT id, type, attempts, extract(epoch FROM coalesce(send_after, created_at)),"
        " extract(epoch FROM sent_at), coalesce(last_error, '') FROM notifications"
        " WHERE channel = 'email' AND status = 'sent' ORDER BY sent_at DESC LIMIT %s",
        params=(count,),
    )
    return [
        f"  #{row_id} {kind}: due t={float(due) - t0_epoch:.1f}s,"
        f" sent t={float(sent) - t0_epoch:.1f}s, attempts {attempts}, last error {error[:80]!r}"
        for row_id, kind, attempts, due, sent, error in rows
    ]


def sent_by_type(db: Database) -> dict:
    """Sent email rows per notification type."""
    return dict(
        db.execute(
            "SELECT type, count(*) FROM notifications WHERE channel = 'email'"
            " AND status = 'sent' GROUP BY type"
        )
    )


def all_notifications(db: Database) -> dict:
    """Notification rows per channel."""
    return dict(db.execute("SELECT channel, count(*) FROM notifications GROUP BY channel"))


def request_figures(tally: Tally) -> list[str]:
    """Lines: totals by status class, then per operation."""
    by_op, classes = tally.by_class(), tally.classes()
    total = sum(classes.values())
    lines = [f"requests: {total}  " + "  ".join(f"{k} {v}" for k, v in sorted(classes.items()))]
    ops = sorted({op for op, _ in by_op})
    for op in ops:
        parts = [f"{k} {v}" for (o, k), v in sorted(by_op.items()) if o == op]
        lines.append(f"  {op:<16} " + "  ".join(parts))
    return lines


def failure_lines(tally: Tally, t0: float, events: list[tuple[float, str]]) -> list[str]:
    """Each distinct 5xx or transport error, with when it happened relative to the faults."""
    groups: dict[tuple, list[float]] = {}
    for started, op, status, detail in tally.unexpected:
        key = (op, status, detail.splitlines()[0][:160] if detail else "")
        groups.setdefault(key, []).append(started - t0)
    lines = []
    for (op, status, detail), times in sorted(groups.items(), key=lambda item: min(item[1])):
        near = _nearest_event(min(times), events)
        when = f"t={min(times):.1f}..{max(times):.1f}s"
        lines.append(f"  {len(times)} x {op} {status or 'no answer'} {when} ({near}): {detail}")
    return lines


def duplicate_lines(smtp: MailSink, t0: float, events: list[tuple[float, str]]) -> list[str]:
    """Each Message-ID received twice: when, and the fault just before its first copy."""
    lines = []
    for message_id, times in sorted(smtp.repeats().items(), key=lambda item: item[1][0]):
        when = ", ".join(f"t={t - t0:.2f}s" for t in times)
        lines.append(f"  {message_id} at {when} ({_nearest_event(times[0] - t0, events)})")
    return lines


def _nearest_event(at: float, events: list[tuple[float, str]]) -> str:
    before = [(t, what) for t, what in events if t <= at + 0.5]
    if not before:
        return "before any fault"
    t, what = before[-1]
    return f"{at - t:.1f}s after {what}"


def exceptions_in(log: str) -> Counter:
    """Exception lines a process logged (the last line of each traceback), counted."""
    found: Counter = Counter()
    lines = log.splitlines()
    for n, line in enumerate(lines):
        if not line.startswith("Traceback"):
            continue
        for tail in lines[n + 1 : n + 200]:
            match = EXCEPTION_LINE.match(tail)
            if match:
                name = match.group(1).rsplit(".", 1)[-1]
                found[f"{name}: {match.group(2)[:110]}"] += 1
                break
    return found
