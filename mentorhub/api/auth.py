"""Auth routes: register, login, refresh, logout, me."""

from __future__ import annotations

from flask import current_app
from flask_jwt_extended import current_user, get_jwt_identity, jwt_required
from flask_smorest import Blueprint

from mentorhub.extensions import limiter
from mentorhub.openapi import ErrorSchema
from mentorhub.ratelimit.setup import login_email_key
from mentorhub.schemas.auth import (
    LoginSchema,
    MessageSchema,
    RegisterSchema,
    TokenSchema,
    UserSchema,
)
from mentorhub.services import auth as auth_service

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Accounts and tokens")
BEARER = [{"bearerAuth": []}]


@blp.post("/register")
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Email already registered")
def register(data: dict):
    """Create an account."""
    return auth_service.register_user(**data)


@blp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@limiter.limit(lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"], key_func=login_email_key)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Wrong email or password")
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
    return auth_service.refresh_access_token(int(get_jwt_identity()))


@blp.post("/logout")
@jwt_required(verify_type=False)
@blp.response(200, MessageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def logout():
    """Revoke the presented token (access or refresh)."""
    auth_service.revoke_current_token()
    return {"message": "Token revoked."}


@blp.get("/me")
@jwt_required()
@blp.response(200, UserSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def me():
    """The authenticated user."""
    return current_user
