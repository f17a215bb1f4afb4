"""Registration, login, token families and their revocation, and Flask-JWT-Extended's hooks.

A sign-in is a token family: the refresh token's jti is the family id, and every access token
minted from it carries that id as `fam`. Logging out revokes the family; signing out everywhere
raises the user's generation (`gen`), which revokes every token minted before.
"""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import UTC, datetime

import jwt as pyjwt
from flask import Flask, current_app, request
from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from mentorhub import request_reads
from mentorhub.errors import Conflict, Unauthorized, client_address, error_response
from mentorhub.extensions import db, jwt
from mentorhub.models import RevokedToken, User
from mentorhub.models.types import utcnow
from mentorhub.services.identity import ROLE_CLAIM, current_identity, role_of, signed_in_user
from mentorhub.services.revocation import RevocationStore

logger = logging.getLogger(__name__)
INVALID_CREDENTIALS = "Invalid email or password."
STORE = "mentorhub.revocations"


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash checked when the email is unknown, so a miss costs as much as a wrong password."""
    return generate_password_hash("mentorhub-timing-equaliser", method=method)


def register_user(
    email: str, password: str, name: str, is_mentor: bool = False, timezone: str = "UTC"
) -> User:
    """Create a user; raise Conflict when the (lower-cased) email is taken."""
    from mentorhub.notifications.events import user_registered

    user = User(email=email.lower(), name=name, is_mentor=is_mentor, timezone=timezone)
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
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    elif user.check_password(password):
        return user
    logger.warning("failed login from %s", client_address())
    raise Unauthorized(INVALID_CREDENTIALS)


def revocations() -> RevocationStore:
    """This app's revocation store."""
    return current_app.extensions[STORE]


def issue_tokens(user: User) -> dict:
    """A new sign-in: a refresh token and an access token of one new family."""
    family = uuid.uuid4().hex
    generation = revocations().current_generation(user.id)
    identity = str(user.id)
    refresh = create_refresh_token(identity, additional_claims={"jti": family, "gen": generation})
    return {**_access_token(identity, family, generation, role_of(user)), "refresh_token": refresh}


def refresh_access_token() -> dict:
    """A new access token in the presented refresh token's family, with the current role."""
    claims = get_jwt()
    user = current_identity().row()
    return _access_token(str(user.id), family_of(claims), claims.get("gen", 0), role_of(user))


def _access_token(identity: str, family: str, generation: int, role: str) -> dict:
    claims = {"fam": family, "gen": generation, ROLE_CLAIM: role}
    return {
        "access_token": create_access_token(identity, additional_claims=claims),
        "token_type": "bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }


def family_of(claims: dict) -> str:
    """The sign-in a token belongs to (a token minted outside a sign-in is its own family)."""
    return claims.get("fam") or claims["jti"]


def revoke_current_family() -> None:
    """Log out: revoke the presented token's refresh token and every access token minted from it."""
    claims = get_jwt()
    if claims.get("type") == "refresh":
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    else:
        # Its refresh token was issued before now, so it expires before this bound.
        expires_at = utcnow() + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    revocations().revoke_family(family_of(claims), expires_at)


def revoke_all_tokens() -> None:
    """Sign out everywhere: revoke every token the caller's account holds."""
    revocations().next_generation(current_identity().id)


def purge_expired_revocations() -> int:
    """Delete revocation records whose tokens have all expired; return how many."""
    result = db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    db.session.commit()
    return result.rowcount


def _token_error(message: str):
    logger.warning("rejected token from %s on %s: %s", client_address(), request.path, message)
    return error_response(401, message)


def read_revocation_ahead() -> None:
    """Name the revocation keys of the presented token, for the rate limiter's round trip."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return
    try:
        # Unverified on purpose: it only picks keys to read; the token is verified before use,
        # and a forged one gets its 401 there.
        claims = pyjwt.decode(header[7:], options={"verify_signature": False})
        keys = revocations().lookup_keys(family_of(claims), int(claims["sub"]))
    except (pyjwt.PyJWTError, KeyError, TypeError, ValueError):
        return
    request_reads.want(keys)


def init_jwt(app: Flask) -> None:
    """Answer every token failure with a 401 in our envelope, and honour revocations."""
    app.extensions[STORE] = RevocationStore(
        app.config.get("REDIS_URL"),
        app.config["REDIS_SOCKET_TIMEOUT"],
        app.config["JWT_REFRESH_TOKEN_EXPIRES"],
    )
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_ENABLED"]:
        # Ahead of the rate limiter's hook, which makes the round trip.
        app.before_request_funcs.setdefault(None, []).insert(0, read_revocation_ahead)

    @jwt.user_lookup_loader
    def load_user(_header: dict, claims: dict):
        return signed_in_user(claims)

    @jwt.token_in_blocklist_loader
    def is_revoked(_header: dict, claims: dict) -> bool:
        try:
            user_id = int(claims["sub"])
        except (KeyError, TypeError, ValueError):
            return True
        return revocations().is_revoked(family_of(claims), user_id, claims.get("gen", 0))

    jwt.unauthorized_loader(
        lambda reason: _token_error("Missing or malformed Authorization header.")
    )
    jwt.invalid_token_loader(lambda reason: _token_error("Invalid token."))
    jwt.expired_token_loader(lambda header, claims: _token_error("Token has expired."))
    jwt.revoked_token_loader(lambda header, claims: _token_error("Token has been revoked."))
    jwt.needs_fresh_token_loader(lambda header, claims: _token_error("Fresh token required."))
    jwt.user_lookup_error_loader(lambda header, claims: _token_error("Unknown user."))
    jwt.token_verification_failed_loader(lambda header, claims: _token_error("Invalid token."))
