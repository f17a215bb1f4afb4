"""Calendar routes: the caller's private feed URL, rotating it, and the feed itself."""

from __future__ import annotations

from flask import Response, request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from mentorhub import calendars
from mentorhub.api.auth import BEARER
from mentorhub.openapi import ErrorSchema
from mentorhub.schemas.calendar import FeedUrlSchema
from mentorhub.services.identity import current_account

blp = Blueprint("calendar", __name__, url_prefix="/calendar", description="Calendar feeds")
# The answer holds the feed's secret: no cache anywhere may keep it.
SECRET = {"Cache-Control": "no-store"}


@blp.get("/feed")
@jwt_required()
@blp.response(200, FeedUrlSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def feed_url():
    """The caller's private feed URL (made on first request); anyone holding it can read it."""
    return calendars.feed_urls(current_account()), 200, SECRET


@blp.post("/feed/rotate")
@jwt_required()
@blp.response(200, FeedUrlSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def rotate_feed():
    """Replace the caller's feed URL; the old one answers 404 from now on."""
    return calendars.rotate_token(current_account()), 200, SECRET


@blp.get("/<token>.ics")
@blp.response(
    200,
    content_type="text/calendar",
    description="An iCalendar feed of the owner's sessions that have not ended.",
)
@blp.alt_response(304, description="Unchanged since the ETag or date the client sent.")
@blp.alt_response(404, schema=ErrorSchema, description="Unknown or rotated token")
def feed(token: str):
    """The feed a calendar app subscribes to; no login, the token in the URL is the secret."""
    document = calendars.build_feed(calendars.owner_of(token))
    response = Response(document.body, mimetype="text/calendar")
    response.set_etag(document.etag)
    response.last_modified = document.last_modified
    # Revalidated on every poll (cheap with the ETag), and never kept by shared caches.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["Content-Disposition"] = 'inline; filename="mentorhub.ics"'
    return response.make_conditional(request)
