"""Auth routes: register, login, refresh, logout, sign out everywhere, me.

Login has three limits, so that strangers cannot lock an owner out: a strict one per (email,
client address), a looser one per email from any address (both count failed attempts only), and
one per client address whatever the email.
"""

from __future__ import annotations

from flask import Response, current_app

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.errors import APIError, client_address
from mentorhub.extensions import limiter
from mentorhub.request_json import request_json
from mentorhub.schemas.auth import (
    MAX_EMAIL_LENGTH,
    LoginSchema,
    MessageSchema,
    RegisterSchema,
    TokenSchema,
    UserSchema,
)
from mentorhub.schemas.timezones import UpdateMeSchema
from mentorhub.services import accounts

blp = ApiBlueprint("auth", __name__, url_prefix="/auth", description="Accounts and tokens")


@blp.post("/register")
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.error_responses({409: "Email already registered"})
def register(data: dict):
    """Create an account."""
    return accounts.register_user(**data)


def _email_tried() -> str:
    # Runs in the rate limiter, before the request guard: a refused body names no email.
    try:
        body = request_json()
    except APIError:
        return ""
    email = body.get("email") if isinstance(body, dict) else None
    return email.strip().lower()[:MAX_EMAIL_LENGTH] if isinstance(email, str) else ""


def login_email_client_key() -> str:
    """Key of the strict limit: the email tried, from this client address."""
    return f"login-email-client:{_email_tried()}:{client_address()}"


def login_email_key() -> str:
    """Key of the looser limit: the email tried, from any address."""
    return f"login-email:{_email_tried()}"


def failed_login(response: Response) -> bool:
    """Only failed logins count against the per-email limits: an owner who gets in pays none."""
    return response.status_code == 401


@blp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@limiter.limit(
    lambda: current_app.config["LOGIN_EMAIL_CLIENT_RATE_LIMIT"],
    key_func=login_email_client_key,
    deduct_when=failed_login,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"],
    key_func=login_email_key,
    deduct_when=failed_login,
)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.error_responses({401: "Wrong email or password", 429: "Too many attempts; see Retry-After"})
def login(data: dict):
    """Exchange credentials for an access and a refresh token."""
    return accounts.sign_in(data["email"], data["password"])


@blp.post("/refresh")
@blp.authenticated(refresh=True)
@blp.response(200, TokenSchema)
def refresh():
    """Exchange a refresh token for a new access token."""
    return accounts.refresh_access_token()


@blp.post("/logout")
@blp.authenticated(any_token=True)
@blp.response(200, MessageSchema)
def logout():
    """End this sign-in: its refresh token and every access token minted from it."""
    accounts.revoke_current_family()
    return {"message": "Signed out."}


@blp.post("/logout-all")
@blp.authenticated(any_token=True)
@blp.response(200, MessageSchema)
def logout_all():
    """Sign out everywhere: revoke every token of the caller's account."""
    accounts.revoke_all_tokens()
    return {"message": "Signed out everywhere."}


@blp.get("/me")
@blp.authenticated
@blp.response(200, UserSchema)
def me():
    """The authenticated user."""
    return current_caller().row()


@blp.patch("/me")
@blp.authenticated
@blp.arguments(UpdateMeSchema)
@blp.response(200, UserSchema)
def update_me(data: dict):
    """Change the authenticated user's settings: their time zone."""
    return accounts.set_timezone(current_caller().row(), data["timezone"])
