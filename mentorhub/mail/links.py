"""The links an email may carry: pages of the web app, our API, or the session's own call."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

# The web app's pages that emails link to, under FRONTEND_URL. The web app serves these paths;
# the API serves none of them, so they are never built from PUBLIC_BASE_URL.
FRONTEND_ROUTES = {
    "session": "/sessions/{session_id}",
    "sessions": "/sessions",
    "messages": "/messages",
    "conversation": "/messages/{user_id}",
    "mentor": "/mentors/{mentor_id}",
    "mentors": "/mentors",
    "profile": "/profile",
    "payments": "/payments",
    "email_settings": "/settings/notifications",
}


def app_link(page: str, **values: object) -> str:
    """The absolute URL of a web-app page named in FRONTEND_ROUTES."""
    base = current_app.config["FRONTEND_URL"].rstrip("/")
    return base + FRONTEND_ROUTES[page].format(**values)


def meeting_link(value: object) -> str | None:
    """The session's call link if it is one we may send: https, and not a path of our API."""
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return None
    # Older sessions were given links under our own API that no route ever served.
    api = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    if parts.netloc == api.netloc:
        return None
    return value
