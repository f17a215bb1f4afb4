"""Calendar routes: the caller's private feed URL, rotating it, and the feed itself."""

from __future__ import annotations

from flask import Response, request

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.schemas.calendar import FeedUrlSchema
from mentorhub.services import calendar_feeds

blp = ApiBlueprint("calendar", __name__, url_prefix="/calendar", description="Calendar feeds")
# The answer holds the feed's secret: no cache anywhere may keep it.
SECRET = {"Cache-Control": "no-store"}


@blp.get("/feed")
@blp.authenticated
@blp.response(200, FeedUrlSchema)
def feed_url():
    """The caller's private feed URL (made on first request); anyone holding it can read it."""
    return calendar_feeds.feed_urls(current_caller().row()), 200, SECRET


@blp.post("/feed/rotate")
@blp.authenticated
@blp.response(200, FeedUrlSchema)
def rotate_feed():
    """Replace the caller's feed URL; the old one answers 404 from now on."""
    return calendar_feeds.rotate_token(current_caller().row()), 200, SECRET


@blp.get("/<token>.ics")
@blp.response(
    200,
    content_type="text/calendar",
    description="An iCalendar feed of the owner's sessions that have not ended.",
)
@blp.alt_response(304, description="Unchanged since the ETag the client sent (If-None-Match).")
@blp.error_responses({404: "Unknown or rotated token"})
def feed(token: str):
    """The feed a calendar app subscribes to; no login, the token in the URL is the secret."""
    document = calendar_feeds.feed_for_token(token)
    response = Response(document.body, mimetype="text/calendar")
    response.set_etag(document.etag)
    # Revalidated on every poll (cheap with the ETag), and never kept by shared caches.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["Content-Disposition"] = 'inline; filename="mentorhub.ics"'
    return response.make_conditional(request)
