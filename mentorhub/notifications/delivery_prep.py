"""Claim a batch of notifications in one transaction, and build their emails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, text, update

from mentorhub.extensions import db
from mentorhub.mail.rendering import RenderedEmail, render_email
from mentorhub.models import MentorSession, Notification, NotificationPreference, User, utcnow
from mentorhub.notifications.preferences import unsubscribe_link
from mentorhub.notifications.types import is_locked, parse_time

_n = Notification.__table__


@dataclass
class PreparedRow:
    """A claimed notification, ready to send."""

    id: int
    user_id: int | None
    to: str
    type: str
    data: dict
    attempts: int


def claim_lease() -> timedelta:
    """How long a batch's claim lasts: past the job timeout, when RQ has killed the job."""
    timeout = current_app.config["NOTIFICATION_JOB_TIMEOUT"]
    return timedelta(seconds=timeout + min(30, timeout))


def claim_batch(ids: list[int]) -> list[PreparedRow]:
    """Mark the pending, due rows among `ids` `sending`, and return those still worth sending.

    One transaction: a row another worker holds is not pending, so it is not claimed twice.
    Rows whose recipient turned the type off are `skipped`; reminders of sessions that were
    cancelled or moved are `cancelled`.
    """
    now = utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        # The trade documented in delivery.py, for the claim too: a PostgreSQL crash may forget
        # it (the rows are pending again, and go out again with the same Message-ID); in
        # exchange no job waits for a WAL flush before its first mail.
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
    claimed = db.session.execute(
        update(_n)
        .where(_n.c.id.in_(ids), _n.c.status == "pending", _n.c.channel == "email")
        .where(or_(_n.c.send_after.is_(None), _n.c.send_after <= now))
        .values(status="sending", claimed_until=now + claim_lease(), updated_at=now)
        .returning(_n.c.id, _n.c.user_id, _n.c.email, _n.c.type, _n.c.data, _n.c.attempts)
    ).all()
    user_ids = {r.user_id for r in claimed if r.user_id is not None}
    addresses = _addresses(user_ids)
    disabled = _disabled_pairs(user_ids)
    stale = stale_reminders([r.data for r in claimed if r.type == "session_reminder"])
    ready, skipped, cancelled = [], [], []
    for r in sorted(claimed, key=lambda r: r.id):
        data = r.data or {}
        if (r.user_id, r.type) in disabled and not is_locked(r.type, "email"):
            skipped.append(r.id)
        elif r.type == "session_reminder" and data.get("session_id") in stale:
            cancelled.append(r.id)
        else:
            to = addresses.get(r.user_id) or r.email
            ready.append(PreparedRow(r.id, r.user_id, to, r.type, data, r.attempts))
    _close(skipped, "skipped", "turned off by the recipient")
    _close(cancelled, "cancelled", "session was cancelled or moved")
    db.session.commit()
    return ready


def stale_reminders(datas: list[dict], connection=None) -> set[int]:
    """Ids of the reminded sessions no longer scheduled at the reminded time."""
    wanted = {
        d["session_id"]: parse_time(d.get("scheduled_time")) for d in datas if d.get("session_id")
    }
    if not wanted:
        return set()
    query = select(MentorSession.id, MentorSession.status, MentorSession.scheduled_time).where(
        MentorSession.id.in_(wanted)
    )
    found = {
        row.id: (row.status, row.scheduled_time)
        for row in (connection or db.session).execute(query)
    }
    return {session_id for session_id, at in wanted.items() if moved(found.get(session_id), at)}


def moved(found: tuple[str, datetime] | None, reminded_at: datetime | None) -> bool:
    """Whether a session, as (status, scheduled_time) or None if gone, no longer fits a reminder."""
    return found is None or found[0] != "scheduled" or found[1] != reminded_at


def _close(ids: list[int], status: str, why: str) -> None:
    if ids:
        db.session.execute(
            update(_n)
            .where(_n.c.id.in_(ids))
            .values(status=status, last_error=why, claimed_until=None, updated_at=utcnow())
        )


def _addresses(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {user_id: email for user_id, email in rows}


def _disabled_pairs(user_ids: set[int]) -> set[tuple[int, str]]:
    if not user_ids:
        return set()
    p = NotificationPreference.__table__
    rows = db.session.execute(
        select(p.c.user_id, p.c.type).where(
            p.c.user_id.in_(user_ids), p.c.channel == "email", p.c.enabled.is_(False)
        )
    )
    return {(user_id, type_name) for user_id, type_name in rows}


def build_email(row: PreparedRow) -> RenderedEmail:
    """The rendered email for a row, with a stable Message-ID and one-click unsubscribe headers."""
    url = label = None
    if row.user_id is not None:
        url, label = unsubscribe_link(row.user_id, row.type)
    email = render_email(row.to, row.type, row.data, url, label)
    domain = current_app.config["FROM_EMAIL"].rpartition("@")[2] or "mentorhub.local"
    # Stable per notification: if a crash ever makes us send one twice, it is the same message.
    email.message_id = f"<notification-{row.id}@{domain}>"
    if url:
        # RFC 8058: mail clients offer an unsubscribe button that POSTs to this URL.
        email.headers = {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return email
