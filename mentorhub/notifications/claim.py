"""Claim due notifications under a short lease, and decide which are still worth sending.

One transaction moves rows `pending` -> `sending` with `claimed_by` (this process) and
`claimed_until` (now + NOTIFICATION_LEASE_SECONDS), so a second worker or a duplicate job finds
nothing left to claim. The lease is renewed while the worker lives (see lease.py); when a worker
dies it lapses within one lease and the sweep re-opens the rows.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, literal, select, update

from mentorhub.extensions import db
from mentorhub.models import MentorSession, Notification, NotificationPreference, User, utcnow
from mentorhub.models.notification import NotificationStatus as S
from mentorhub.models.session import SessionStatus
from mentorhub.notifications.compose import PreparedRow
from mentorhub.notifications.types import account_mail_types, is_locked, parse_time

_n = Notification.__table__
_RETURNED = (_n.c.id, _n.c.user_id, _n.c.email, _n.c.type, _n.c.data, _n.c.attempts)
_RETURNED += (_n.c.send_after, _n.c.created_at, _n.c.first_failed_at)


@dataclass
class ClaimedRow(PreparedRow):
    """A claimed notification: what to send, and what its retries and deadline depend on."""

    due_at: datetime | None = None
    first_failed_at: datetime | None = None


def worker_token() -> str:
    """Names this process in `claimed_by` (computed per call: a fork gets its own)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def lease() -> timedelta:
    """How long a claim lasts without renewal."""
    return timedelta(seconds=current_app.config["NOTIFICATION_LEASE_SECONDS"])


class Claimed(list):
    """The claimed rows still worth sending; `count` also includes those closed at the claim."""

    count: int = 0


def claim(ids: list[int] | None = None, limit: int | None = None) -> Claimed:
    """Claim the due pending email rows among `ids` (None: the oldest due, up to `limit`).

    Rows whose recipient turned the type off become `skipped`; reminders of sessions that were
    cancelled or moved become `cancelled`, and those that can no longer arrive in time `expired`.
    """
    now = utcnow()
    due = (_n.c.status == S.PENDING, _n.c.channel == "email", _n.c.queued_at <= now)
    if ids is not None:
        target = _n.c.id.in_(ids)
    else:
        # SKIP LOCKED: concurrent drains take disjoint rows instead of queueing on each other.
        oldest = (
            select(_n.c.id)
            .where(*due)
            .order_by(_first_account_mail(), _n.c.queued_at)
            .limit(limit or current_app.config["NOTIFICATION_BATCH_SIZE"])
            .with_for_update(skip_locked=True)
        )
        target = _n.c.id.in_(oldest.scalar_subquery())
    claimed = db.session.execute(
        update(_n)
        .where(target, *due)
        .values(
            status=S.SENDING,
            claimed_by=worker_token(),
            claimed_until=now + lease(),
            updated_at=now,
        )
        .returning(*_RETURNED)
    ).all()
    user_ids = {r.user_id for r in claimed if r.user_id is not None}
    addresses, disabled = _addresses(user_ids), _disabled_pairs(user_ids)
    sessions = session_states([r.data for r in claimed if r.type == "session_reminder"])
    ready, closed = Claimed(), {}
    ready.count = len(claimed)
    first = set(account_mail_types())
    for r in sorted(claimed, key=lambda r: (r.type not in first, r.id)):
        data = r.data or {}
        verdict = None
        if (r.user_id, r.type) in disabled and not is_locked(r.type, "email"):
            verdict = (S.SKIPPED, "turned off by the recipient")
        elif r.type == "session_reminder":
            verdict = reminder_verdict(data, sessions, r.send_after or r.created_at, now)
        if verdict:
            closed.setdefault(verdict, []).append(r.id)
            continue
        # Account mail keeps the address it was meant for; other mail follows the user's.
        to = r.email or addresses.get(r.user_id)
        row = ClaimedRow(r.id, r.user_id, to, r.type, data, r.attempts)
        row.due_at, row.first_failed_at = r.send_after or r.created_at, r.first_failed_at
        ready.append(row)
    for (status, why), row_ids in closed.items():
        db.session.execute(
            update(_n)
            .where(_n.c.id.in_(row_ids))
            .values(status=status, last_error=why, claimed_until=None, updated_at=now)
        )
    db.session.commit()
    return ready


def _first_account_mail():
    # Account mail is what someone waits for at a screen (a welcome, a reset link).
    first = account_mail_types()
    return case((_n.c.type.in_(first), 0), else_=1) if first else literal(1)


def session_states(datas: list[dict], connection=None) -> dict[int, tuple[str, datetime]]:
    """(status, scheduled_time) of each reminded session that still exists."""
    wanted = {d["session_id"] for d in datas if d.get("session_id")}
    if not wanted:
        return {}
    query = select(MentorSession.id, MentorSession.status, MentorSession.scheduled_time).where(
        MentorSession.id.in_(wanted)
    )
    rows = (connection or db.session).execute(query)
    return {row.id: (row.status, row.scheduled_time) for row in rows}


def reminder_verdict(
    data: dict, sessions: dict, due_at: datetime | None, now: datetime
) -> tuple[str, str] | None:
    """Why a reminder must not be sent (status, reason), or None if it is still useful."""
    session_id = data.get("session_id")
    reminded_at = parse_time(data.get("scheduled_time"))
    if session_id:
        found = sessions.get(session_id)
        if found is None or found[0] != SessionStatus.SCHEDULED or found[1] != reminded_at:
            return S.CANCELLED, "session was cancelled or moved"
    if reminded_at is not None and reminded_at <= now:
        return S.EXPIRED, "the session had already started"
    grace = current_app.config["NOTIFICATION_REMINDER_GRACE_SECONDS"]
    if due_at is not None and now - due_at > timedelta(seconds=grace):
        return S.EXPIRED, f"would arrive more than {grace:.0f} s after it was due"
    return None


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
