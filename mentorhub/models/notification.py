"""Notifications (one row per recipient and channel) and users' notification preferences."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mentorhub.extensions import db
from mentorhub.models.types import UTCDateTime, utcnow


class NotificationStatus(StrEnum):
    """Where a notification is in its life; the CHECK constraint is built from this list."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    EXPIRED = "expired"


NOTIFICATION_STATUSES = tuple(status.value for status in NotificationStatus)
NOTIFICATION_CHANNELS = ("email", "in_app")
STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in NOTIFICATION_STATUSES))


class Notification(db.Model):
    """One notification to one recipient on one channel; the row is the source of truth.

    `pending` rows are delivered by a worker, which marks its batch `sending` with a short lease
    (`claimed_until`, renewed while the worker lives; `claimed_by` names the worker). `sent`,
    `failed` (retries exhausted), `cancelled` (a reminder of a session that moved or was
    cancelled), `expired` (a reminder that could no longer arrive in time) and `skipped` (the
    recipient turned this type off) are final, except that `flask notifications retry-failed`
    re-opens `failed` rows.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status"),
        CheckConstraint("channel IN ('email', 'in_app')", name="channel"),
        CheckConstraint("user_id IS NOT NULL OR email IS NOT NULL", name="has_recipient"),
        # The sweep: overdue pending rows. Partial, so it stays as small as the backlog.
        Index(
            "ix_notifications_pending_queued_at",
            "queued_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index(
            "ix_notifications_sending_claimed_until",
            "claimed_until",
            postgresql_where=text("status = 'sending'"),
            sqlite_where=text("status = 'sending'"),
        ),
        # The in-app inbox, newest first, and its unread filter.
        Index("ix_notifications_inbox", "user_id", "channel", "id"),
        Index(
            "ix_notifications_unread",
            "user_id",
            "id",
            postgresql_where=text("channel = 'in_app' AND read_at IS NULL"),
            sqlite_where=text("channel = 'in_app' AND read_at IS NULL"),
        ),
        # Reminders of one session (to cancel them) and message bursts of one sender (to coalesce).
        Index("ix_notifications_subject", "subject_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # For recipients without an account (a payer's receipt) and for account mail (the address
    # it is meant for); other mail to users goes to their address at the time it is sent.
    email: Mapped[str | None] = mapped_column(String(254))
    type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    subject_key: Mapped[str | None] = mapped_column(String(64))
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the latest job for this row was due to run; the sweep re-enqueues rows left pending
    # well past it (Redis was down at enqueue time, or the worker died holding the job).
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A `sending` row whose claim lapsed belongs to a worker that died: the sweep re-opens it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # The retry lifetime counts from the first failed attempt, so a reminder scheduled days
    # ahead or a row re-opened by retry-failed gets the whole lifetime.
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.type}/{self.channel} {self.status}>"


class NotificationPreference(db.Model):
    """A user's choice for one type on one channel; no row means the default (enabled)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "type", "channel", name="uq_notification_preferences_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
