"""Registration, login, token revocation, and Flask-JWT-Extended's hooks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask, current_app, request
from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from mentorhub.errors import Conflict, Unauthorized, client_address, error_response
from mentorhub.extensions import db, jwt
from mentorhub.models import RevokedToken, User

logger = logging.getLogger(__name__)
INVALID_CREDENTIALS = "Invalid email or password."
# Checked when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("mentorhub-timing-equaliser")


def register_user(email: str, password: str, name: str, is_mentor: bool = False) -> User:
    """Create a user; raise Conflict when the (lower-cased) email is taken."""
    from mentorhub.notifications.events import user_registered

    user = User(email=email.lower(), name=name, is_mentor=is_mentor)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
        user_registered(user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("An account with this email already exists.") from None
    return user


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials, or raise the same 401 whatever was wrong."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
    elif user.check_password(password):
        return user
    logger.warning("failed login from %s", client_address())
    raise Unauthorized(INVALID_CREDENTIALS)


def issue_tokens(user: User) -> dict:
    """Access and refresh tokens for a user, in the login response's shape."""
    identity = str(user.id)
    return {
        "access_token": create_access_token(identity=identity),
        "refresh_token": create_refresh_token(identity=identity),
        "token_type": "bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }


def refresh_access_token(user_id: int) -> dict:
    """A new access token for the holder of a valid refresh token."""
    return {
        "access_token": create_access_token(identity=str(user_id)),
        "token_type": "bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }


def revoke_current_token() -> None:
    """Blocklist the presented token until it would have expired."""
    claims = get_jwt()
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    if db.session.get(RevokedToken, claims["jti"]) is None:
        db.session.add(RevokedToken(jti=claims["jti"], expires_at=expires_at))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # revoked concurrently: the outcome is the same


def purge_expired_revocations() -> int:
    """Delete blocklist entries whose tokens have expired; return how many."""
    deleted = (
        db.session.query(RevokedToken).filter(RevokedToken.expires_at < datetime.now(UTC)).delete()
    )
    db.session.commit()
    return deleted


def _token_error(message: str):
    logger.warning("rejected token from %s on %s: %s", client_address(), request.path, message)
    return error_response(401, message)


def init_jwt(app: Flask) -> None:
    """Answer every token failure with a 401 in our envelope, and honour revocations."""

    @jwt.user_lookup_loader
    def load_user(_header: dict, claims: dict) -> User | None:
        try:
            return db.session.get(User, int(claims["sub"]))
        except (TypeError, ValueError):
            return None

    @jwt.token_in_blocklist_loader
    def is_revoked(_header: dict, claims: dict) -> bool:
        return db.session.get(RevokedToken, claims.get("jti", "")) is not None

    jwt.unauthorized_loader(
        lambda reason: _token_error("Missing or malformed Authorization header.")
    )
    jwt.invalid_token_loader(lambda reason: _token_error("Invalid token."))
    jwt.expired_token_loader(lambda header, claims: _token_error("Token has expired."))
    jwt.revoked_token_loader(lambda header, claims: _token_error("Token has been revoked."))
    jwt.needs_fresh_token_loader(lambda header, claims: _token_error("Fresh token required."))
    jwt.user_lookup_error_loader(lambda header, claims: _token_error("Unknown user."))
    jwt.token_verification_failed_loader(lambda header, claims: _token_error("Invalid token."))
