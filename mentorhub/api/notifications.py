"""Notification routes: the in-app inbox, preferences, and the no-login unsubscribe link."""

from __future__ import annotations

from flask import render_template, request
from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from mentorhub.api.auth import BEARER
from mentorhub.notifications import inbox, preferences
from mentorhub.openapi import ErrorSchema
from mentorhub.schemas.notifications import (
    InboxArgsSchema,
    NotificationPageSchema,
    NotificationSchema,
    PreferencesSchema,
    ReadAllSchema,
    UnsubscribeArgsSchema,
)

blp = Blueprint(
    "notifications", __name__, url_prefix="/notifications", description="In-app notifications"
)


@blp.get("")
@jwt_required()
@blp.arguments(InboxArgsSchema, location="query")
@blp.response(200, NotificationPageSchema)
@blp.doc(security=BEARER)
def list_notifications(args: dict):
    """The caller's in-app notifications, newest first; `unread=true` for unread only."""
    return inbox.list_inbox(current_user, **args)


@blp.post("/<int:notification_id>/read")
@jwt_required()
@blp.response(200, NotificationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Not one of the caller's notifications")
@blp.doc(security=BEARER)
def read(notification_id: int):
    """Mark one notification read."""
    return inbox.mark_read(current_user, notification_id)


@blp.post("/read-all")
@jwt_required()
@blp.response(200, ReadAllSchema)
@blp.doc(security=BEARER)
def read_all():
    """Mark every notification of the caller read."""
    return {"updated": inbox.mark_all_read(current_user)}


@blp.get("/preferences")
@jwt_required()
@blp.response(200, PreferencesSchema)
@blp.doc(security=BEARER)
def get_preferences():
    """Every type on every channel, on or off, and whether it can be turned off."""
    return {"preferences": preferences.list_preferences(current_user)}


@blp.put("/preferences")
@jwt_required()
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
@blp.doc(security=BEARER)
def put_preferences(data: dict):
    """Turn types on or off per channel; 422 for a locked one (welcome, payment email)."""
    return {"preferences": preferences.update_preferences(current_user, data["preferences"])}


@blp.route("/unsubscribe", methods=["GET", "POST"])
@blp.arguments(UnsubscribeArgsSchema, location="query")
@blp.alt_response(400, schema=ErrorSchema, description="Not a valid unsubscribe link")
def unsubscribe(args: dict):
    """The link in every notification email; no login. GET asks, POST unsubscribes.

    POST is also what mail clients send for RFC 8058 one-click unsubscribe.
    """
    token = args["token"]
    if request.method == "GET":
        # Link scanners fetch every URL in a mail: a GET must not change anything.
        _, scope = preferences.read_unsubscribe_token(token)
        return render_template("email/unsubscribe_page.html", token=token, scope=scope, done=False)
    result = preferences.unsubscribe(token)
    if request.accept_mimetypes.best == "application/json":
        return result
    return render_template("email/unsubscribe_page.html", token=token, done=True, **result)
