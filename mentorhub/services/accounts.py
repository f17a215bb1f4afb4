"""A user's own time zone setting."""

from __future__ import annotations

from mentorhub.calendars.zones import canonical_zone
from mentorhub.extensions import db
from mentorhub.models import User


def set_timezone(user: User, timezone: str) -> User:
    """Store the user's IANA zone (InvalidTimeZone for an unknown one) and return the user."""
    user.timezone = canonical_zone(timezone)
    db.session.commit()
    return user
