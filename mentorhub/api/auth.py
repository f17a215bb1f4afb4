"""Auth routes: register, login, refresh, logout, sign out everywhere, me.

Login has three limits, so that strangers cannot lock an owner out: a strict one per (email,
client address), a looser one per email from any address (both count failed attempts only), and
one per client address whatever the email.
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from mentorhub.calendars.profile import set_timezone
from mentorhub.errors import client_address
from mentorhub.extensions import limiter
from mentorhub.openapi import ErrorSchema
from mentorhub.schemas.auth import (
    LoginSchema,
    MessageSchema,
    RegisterSchema,
    TokenSchema,
    UserSchema,
)
from mentorhub.schemas.timezones import UpdateMeSchema
from mentorhub.services import auth as auth_service
from mentorhub.services.identity import current_account

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Accounts and tokens")
BEARER = [{"bearerAuth": []}]


@blp.post("/register")
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Email already registered")
def register(data: dict):
    """Create an account."""
    return auth_service.register_user(**data)


def _email_tried() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return email.strip().lower() if isinstance(email, str) else ""


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
@blp.alt_response(401, schema=ErrorSchema, description="Wrong email or password")
@blp.alt_response(429, schema=ErrorSchema, description="Too many attempts; see Retry-After")
def login(data: dict):
    """Exchange credentials for an access and a refresh token."""
    user = auth_service.authenticate(data["email"], data["password"])
    return auth_service.issue_tokens(user)


@blp.post("/refresh")
@jwt_required(refresh=True)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid refresh token")
@blp.doc(security=BEARER)
def refresh():
    """Exchange a refresh token for a new access token."""
    return auth_service.refresh_access_token()


@blp.post("/logout")
@jwt_required(verify_type=False)
@blp.response(200, MessageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def logout():
    """End this sign-in: its refresh token and every access token minted from it."""
    auth_service.revoke_current_family()
    return {"message": "Signed out."}


@blp.post("/logout-all")
@jwt_required(verify_type=False)
@blp.response(200, MessageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def logout_all():
    """Sign out everywhere: revoke every token of the caller's account."""
    auth_service.revoke_all_tokens()
    return {"message": "Signed out everywhere."}


@blp.get("/me")
@jwt_required()
@blp.response(200, UserSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def me():
    """The authenticated user."""
    return current_account()


@blp.patch("/me")
@jwt_required()
@blp.arguments(UpdateMeSchema)
@blp.response(200, UserSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def update_me(data: dict):
    """Change the authenticated user's settings: their time zone."""
    return set_timezone(current_account(), data["timezone"])
