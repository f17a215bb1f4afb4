"""The private calendar feed: a per-user secret URL serving that user's upcoming sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from mentorhub.calendars import (
    SessionEvent,
    build_calendar,
    event_description,
    event_summary,
    session_uid,
    shown_meeting_link,
)
from mentorhub.errors import NotFound
from mentorhub.extensions import db
from mentorhub.models import MentorSession, User, utcnow
from mentorhub.models.session import LONGEST_SESSION, SessionStatus

FEED_NOT_FOUND = "Calendar feed not found."
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 64
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Feed:
    """A rendered feed and the ETag a client revalidates it with.

    No Last-Modified: HTTP dates count whole seconds, so two changes within one second would
    give a client holding the first a 304 for the second. The ETag is the body's hash, and
    changes with every change.
    """

    body: bytes
    etag: str


def feed_urls(user: User) -> dict[str, str]:
    """The user's feed as https (or http) and webcal URLs; the token is made on first use."""
    if user.calendar_token is None:
        # Only set when still empty, so two first requests at once agree on one token.
        db.session.execute(
            update(User)
            .where(User.id == user.id, User.calendar_token.is_(None))
            .values(calendar_token=_new_token())
        )
        db.session.commit()
        db.session.refresh(user)
    return _urls(user.calendar_token)


def rotate_token(user: User) -> dict[str, str]:
    """Replace the user's feed token: the old URL answers 404 from now on."""
    user.calendar_token = _new_token()
    db.session.commit()
    return _urls(user.calendar_token)


def feed_for_token(token: str) -> Feed:
    """The feed this token opens; 404 for an unknown or rotated token."""
    return build_feed(owner_of(token))


def owner_of(token: str) -> User:
    """The user whose feed this token opens; 404 for an unknown or rotated token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(FEED_NOT_FOUND)
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None:
        raise NotFound(FEED_NOT_FOUND)
    return user


def build_feed(user: User) -> Feed:
    """The user's sessions that have not ended yet, as an iCalendar document with its validators."""
    now = utcnow()
    mine = or_(MentorSession.mentor_id == user.id, MentorSession.student_id == user.id)
    sessions = db.session.scalars(
        select(MentorSession)
        .where(mine, MentorSession.status == SessionStatus.SCHEDULED)
        # Bounded below by the longest session, so of the past only the ones still running are read.
        .where(MentorSession.scheduled_time > now - LONGEST_SESSION)
        .options(selectinload(MentorSession.mentor), selectinload(MentorSession.student))
        .order_by(MentorSession.scheduled_time, MentorSession.id)
    ).all()
    base_url = current_app.config["PUBLIC_BASE_URL"]
    events = [_event(s, base_url) for s in sessions if s.end_time > now]
    name = f"{current_app.config['PLATFORM_NAME']} sessions"
    body = build_calendar(events, name=name, refresh=REFRESH)
    return Feed(body=body, etag=hashlib.sha256(body).hexdigest()[:32])


def _event(session: MentorSession, base_url: str) -> SessionEvent:
    # No addresses in the feed: its URL may end up shared, and a calendar shows it read-only.
    link = shown_meeting_link(session.meeting_link)
    return SessionEvent(
        uid=session_uid(session.id, base_url),
        sequence=session.sequence or 0,
        start=session.scheduled_time,
        minutes=session.duration_minutes,
        summary=event_summary(session.topic),
        description=event_description(session.mentor.name, session.student.name, link),
        # The last change, not the time of the request: the same feed gives the same bytes.
        stamp=session.updated_at,
        link=link,
    )


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _urls(token: str) -> dict[str, str]:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = f"{base}/api/v1/calendar/{token}.ics"
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
