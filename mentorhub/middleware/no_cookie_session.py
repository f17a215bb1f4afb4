"""The session interface of an API whose callers sign in with bearer tokens: no cookie at all."""

from __future__ import annotations

from flask.sessions import SessionInterface


class NoCookieSessions(SessionInterface):
    """No request reads or sets a session cookie.

    Flask's signed-cookie session would otherwise be opened and checked on every request for
    nothing.
    """

    def open_session(self, app, request) -> None:
        """No session: Flask hands views its NullSession, which refuses writes."""
        return None

    def save_session(self, app, session, response) -> None:
        """Nothing to save."""
