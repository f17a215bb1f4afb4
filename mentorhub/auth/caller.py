"""The signed-in caller as the access token describes them: id and role without a query.

`current_caller()` is the one way a view or service gets who is calling.
"""

from __future__ import annotations

from typing import Any

from flask_jwt_extended import get_current_user

from mentorhub.errors import Unauthorized
from mentorhub.extensions import db
from mentorhub.models import User

ROLE_CLAIM = "role"
MENTOR, STUDENT = "mentor", "student"
OWN = frozenset({"id", "role", "loaded"})


class SignedInUser:
    """The caller: `id` and `is_mentor` come from the token; anything else loads the row once.

    Endpoints that need only who the caller is and their role never load the user row; the
    others read attributes as on a `User`, or call `row()` for the model itself.
    """

    def __init__(self, user_id: int, role: str | None) -> None:
        self.id = user_id
        self.role = role
        self.loaded: User | None = None

    @property
    def is_mentor(self) -> bool:
        """The role from the token (tokens minted without one ask the database)."""
        if self.role is None:
            return self.row().is_mentor
        return self.role == MENTOR

    def row(self) -> User:
        """The user's row, loaded on first use; 401 when the account no longer exists."""
        if self.loaded is None:
            self.loaded = db.session.get(User, self.id)
            if self.loaded is None:
                raise Unauthorized("Unknown user.")
        return self.loaded

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set above: the row answers them.
        if name.startswith("_") or name in OWN:
            raise AttributeError(name)
        return getattr(self.row(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        # A view that changes the account changes the row, not this stand-in.
        if name in OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.row(), name, value)

    def __repr__(self) -> str:
        return f"<SignedInUser {self.id}>"


def role_of(user: User) -> str:
    """The role claim a token of this user carries."""
    return MENTOR if user.is_mentor else STUDENT


def signed_in_user(claims: dict) -> SignedInUser | None:
    """Build the caller from verified claims; None when the subject is not a user id."""
    try:
        user_id = int(claims["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    role = claims.get(ROLE_CLAIM)
    return SignedInUser(user_id, role if role in (MENTOR, STUDENT) else None)


def current_caller() -> SignedInUser:
    """The caller of an `authenticated` view: id and role from the token, the rest on demand."""
    return get_current_user()
