"""Signing up and signing in, for every test that needs an account or a token.

`AuthActions` drives the API as a client does, through a Flask test client or a live server's
`LiveClient`. `headers` is the shortcut for tests about something else: it mints the tokens a
sign-in would return without the request (inside an app context).
"""

from __future__ import annotations

from mentorhub.auth import issue_tokens
from mentorhub.models import User

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
PASSWORD = "password123"


def body(response) -> dict:
    """The JSON body of a test client's or a live server's response."""
    return response.get_json() if hasattr(response, "get_json") else response.json()


class AuthActions:
    """Sign-up and sign-in requests, on a Flask test client or a `LiveClient`."""

    def __init__(self, client) -> None:
        self.client = client

    def register(
        self,
        email: str,
        password: str = PASSWORD,
        name: str = "Test User",
        headers: dict[str, str] | None = None,
        **fields,
    ):
        """POST /auth/register (`fields`: is_mentor, timezone...); the response."""
        account = {"email": email, "password": password, "name": name, **fields}
        return self.client.post(REGISTER, json=account, headers=headers or {})

    def login(self, email: str, password: str = PASSWORD):
        """POST /auth/login; the response."""
        return self.client.post(LOGIN, json={"email": email, "password": password})

    def sign_up(self, email: str, password: str = PASSWORD, name: str = "Test User", **fields):
        """Register, insisting on 201; the new account as the API returns it."""
        response = self.register(email, password, name, **fields)
        assert response.status_code == 201, body(response)
        return body(response)

    def sign_in(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        """Log in, insisting on 200; the access and refresh tokens."""
        response = self.login(email, password)
        assert response.status_code == 200, body(response)
        return body(response)

    @staticmethod
    def headers(user: User, refresh: bool = False) -> dict[str, str]:
        """Bearer headers with a fresh sign-in's access (or refresh) token, as login issues it."""
        tokens = issue_tokens(user)
        return bearer(tokens["refresh_token"] if refresh else tokens["access_token"])


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}
