"""Notification routes: the in-app inbox, preferences, and the no-login unsubscribe link."""

from __future__ import annotations

from flask import render_template, request

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.schemas.notifications import (
    InboxArgsSchema,
    NotificationPageSchema,
    NotificationSchema,
    PreferencesSchema,
    ReadAllSchema,
    UnsubscribeArgsSchema,
)
from mentorhub.services import inbox
from mentorhub.services import notification_preferences as preferences

blp = ApiBlueprint(
    "notifications", __name__, url_prefix="/notifications", description="In-app notifications"
)


@blp.get("")
@blp.authenticated
@blp.arguments(InboxArgsSchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args: dict):
    """The caller's in-app notifications, newest first; `unread=true` for unread only."""
    return inbox.list_inbox(current_caller(), **args)


@blp.post("/<int:notification_id>/read")
@blp.authenticated
@blp.response(200, NotificationSchema)
@blp.error_responses({404: "Not one of the caller's notifications"})
def read(notification_id: int):
    """Mark one notification read."""
    return inbox.mark_read(current_caller(), notification_id)


@blp.post("/read-all")
@blp.authenticated
@blp.response(200, ReadAllSchema)
def read_all():
    """Mark every notification of the caller read."""
    return {"updated": inbox.mark_all_read(current_caller())}


@blp.get("/preferences")
@blp.authenticated
@blp.response(200, PreferencesSchema)
def get_preferences():
    """Every type on every channel, on or off, and whether it can be turned off."""
    return {"preferences": preferences.list_preferences(current_caller())}


@blp.put("/preferences")
@blp.authenticated
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
def put_preferences(data: dict):
    """Turn types on or off per channel; 422 for a locked one (welcome, payment email)."""
    return {"preferences": preferences.update_preferences(current_caller(), data["preferences"])}


@blp.route("/unsubscribe", methods=["GET", "POST"])
@blp.arguments(UnsubscribeArgsSchema, location="query")
@blp.error_responses({400: "Not a valid unsubscribe link"})
def unsubscribe(args: dict):
    """The link in every notification email; no login. GET asks, POST unsubscribes.

    POST is also what mail clients send for RFC 8058 one-click unsubscribe.
    """
    token = args["token"]
    if request.method == "GET":
        # Link scanners fetch every URL in a mail: a GET must not change anything.
        words = preferences.type_words(preferences.unsubscribe_scope(token))
        return render_template("email/unsubscribe_page.html", token=token, words=words, done=False)
    result = preferences.unsubscribe(token)
    if request.accept_mimetypes.best == "application/json":
        return result
    words = preferences.type_words(result["unsubscribed"])
    return render_template("email/unsubscribe_page.html", token=token, words=words, done=True)
