"""Accounts: registration, signing in and out, and the user's own settings."""

from __future__ import annotations

import functools
import logging

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from mentorhub.auth import (
    issue_tokens,
    refresh_access_token,
    revoke_all_tokens,
    revoke_current_family,
)
from mentorhub.calendars import canonical_zone
from mentorhub.errors import Unauthorized, client_address
from mentorhub.extensions import db
from mentorhub.models import User
from mentorhub.notifications.events import user_registered
from mentorhub.services.transactions import insert_or_conflict

# Refreshing and signing out are the token machinery's own steps; the API calls them from here.
__all__ = [
    "authenticate",
    "refresh_access_token",
    "register_user",
    "revoke_all_tokens",
    "revoke_current_family",
    "set_timezone",
    "sign_in",
]
logger = logging.getLogger(__name__)
INVALID_CREDENTIALS = "Invalid email or password."


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash checked when the email is unknown, so a miss costs as much as a wrong password."""
    return generate_password_hash("mentorhub-timing-equaliser", method=method)


def register_user(
    email: str, password: str, name: str, is_mentor: bool = False, timezone: str = "UTC"
) -> User:
    """Create a user; raise Conflict when the (lower-cased) email is taken."""
    user = User(email=email.lower(), name=name, is_mentor=is_mentor, timezone=timezone)
    user.set_password(password)
    insert_or_conflict(
        user, "An account with this email already exists.", lambda: user_registered(user)
    )
    return user


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials, or raise the same 401 whatever was wrong."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    elif user.check_password(password):
        return user
    logger.warning("failed login from %s", client_address())
    raise Unauthorized(INVALID_CREDENTIALS)


def sign_in(email: str, password: str) -> dict:
    """Check the credentials and start a sign-in: an access and a refresh token."""
    return issue_tokens(authenticate(email, password))


def set_timezone(user: User, timezone: str) -> User:
    """Store the user's IANA zone (InvalidTimeZone for an unknown one) and return the user."""
    user.timezone = canonical_zone(timezone)
    db.session.commit()
    return user
