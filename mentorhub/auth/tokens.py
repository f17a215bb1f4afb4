"""Token families: issuing access and refresh tokens, and revoking them.

A sign-in is a token family: the refresh token's jti is the family id, and every access token
minted from it carries that id as `fam`. Logging out revokes the family; signing out everywhere
raises the user's generation (`gen`), which revokes every token minted before.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt

from mentorhub.auth.caller import ROLE_CLAIM, current_caller, role_of
from mentorhub.auth.revocation_store import RevocationStore
from mentorhub.models import User
from mentorhub.models.types import utcnow

STORE = "mentorhub.revocations"


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
    user = current_caller().row()
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
    revocations().next_generation(current_caller().id)
