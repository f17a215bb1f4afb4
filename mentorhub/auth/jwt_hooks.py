"""Flask-JWT-Extended's hooks: our 401s, the caller from the claims, and revocation checks."""

from __future__ import annotations

import logging
import re

import jwt as pyjwt
from flask import Flask, request

from mentorhub import redis_prefetch
from mentorhub.auth.caller import signed_in_user
from mentorhub.auth.revocation_store import RevocationStore
from mentorhub.auth.tokens import STORE, family_of, revocations
from mentorhub.errors import client_address, error_response
from mentorhub.extensions import jwt

logger = logging.getLogger(__name__)
# What we mint: a family is a uuid4 (hex, or with dashes as a plain jti); a subject is a row id.
FAMILY_SHAPE = re.compile(r"[0-9a-fA-F-]{1,64}")
USER_ID_SHAPE = re.compile(r"[1-9][0-9]{0,18}")


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
    except pyjwt.PyJWTError:
        return
    names = revocation_names(claims)
    if names is not None:
        redis_prefetch.want(revocations().lookup_keys(*names))


def revocation_names(claims: object) -> tuple[str, int] | None:
    """The sign-in and user an unverified token names, if both have the shape we mint.

    Anyone can write these claims: Infinity, a lone surrogate or a nested object is simply not
    one of our tokens (None), and the check after verification answers it with a 401.
    """
    if not isinstance(claims, dict):
        return None
    family = claims.get("fam") or claims.get("jti")
    subject = claims.get("sub")
    if not isinstance(family, str) or not isinstance(subject, str):
        return None
    if not (FAMILY_SHAPE.fullmatch(family) and USER_ID_SHAPE.fullmatch(subject)):
        return None
    return family, int(subject)


def init_jwt(app: Flask) -> None:
    """Answer every token failure with a 401 in our envelope, and honour revocations."""
    app.extensions[STORE] = RevocationStore(
        app.config.get("REDIS_URL"),
        app.config["REDIS_SOCKET_TIMEOUT"],
        app.config["JWT_REFRESH_TOKEN_EXPIRES"],
    )

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
