"""The links an email may carry: pages of the web app, our API, or the session's own call."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from mentorhub.calendars.meeting_links import shown_meeting_link

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


def link_base_problem(url: str) -> str | None:
    """Why `url` cannot start the absolute links of a mail (None when it can): it must be an
    http(s) address with a host, and nothing a path could not follow (no credentials, query or
    fragment)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL with a host"
    if parts.username is not None or parts.query or parts.fragment or "\\" in url:
        return "may not hold a user name, password, query or fragment"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "may not hold spaces or control characters"
    return None


def link_base(setting: str) -> str:
    """A link base setting (FRONTEND_URL, PUBLIC_BASE_URL) without its trailing slash.

    The start-up check has refused a base `link_base_problem` objects to.
    """
    return current_app.config[setting].rstrip("/")


def app_link(page: str, **values: object) -> str:
    """The absolute URL of a web-app page named in FRONTEND_ROUTES."""
    return link_base("FRONTEND_URL") + FRONTEND_ROUTES[page].format(**values)


def meeting_link(value: object) -> str | None:
    """The session's call link if it is one we may send: the link rule's, and not our API's."""
    link = shown_meeting_link(value)
    # Older sessions were given links under our own API that no route ever served.
    if (
        link is None
        or urlsplit(link).netloc == urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc
    ):
        return None
    return link
