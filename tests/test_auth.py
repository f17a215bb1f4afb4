"""Auth endpoints: register, login, refresh, logout, me, and every token failure."""

from __future__ import annotations

from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token

from tests.support.auth import LOGIN, REGISTER, AuthActions


def register(client, email="ada@example.com", password="correct-horse", name="Ada", **extra):
    return AuthActions(client).register(email, password, name, **extra)


def login(client, email="ada@example.com", password="correct-horse"):
    return AuthActions(client).login(email, password)


def test_register_returns_the_user_without_secrets(client):
    response = register(client, email="Ada@Example.com", is_mentor=True)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "email", "name", "is_mentor", "timezone", "created_at"}
    assert body["email"] == "ada@example.com"
    assert body["is_mentor"] is True
    assert body["created_at"].endswith("+00:00")


def test_register_stores_a_hash_not_the_password(client, db):
    from mentorhub.models import User

    register(client)
    user = db.session.query(User).one()
    assert "correct-horse" not in user.password_hash
    assert user.check_password("correct-horse")


def test_duplicate_email_is_a_conflict_whatever_the_case(client):
    assert register(client).status_code == 201
    response = register(client, email="ADA@example.COM")
    assert response.status_code == 409
    assert response.get_json() == {
        "status_code": 409,
        "message": "An account with this email already exists.",
    }


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-email", "password": "long-enough", "name": "A"}, "email"),
        ({"email": "a@example.com", "password": "short", "name": "A"}, "password"),
        ({"email": "a@example.com", "password": "long-enough"}, "name"),
        ({"email": "a@example.com", "password": "long-enough", "name": "   "}, "name"),
        ({"password": "long-enough", "name": "A"}, "email"),
        ({"email": 5, "password": "long-enough", "name": "A"}, "email"),
        (
            {"email": "a@example.com", "password": "long-enough", "name": "A", "is_mentor": "x"},
            "is_mentor",
        ),
        ({"email": "a@example.com", "password": "long-enough", "name": "A", "role": "x"}, "role"),
    ],
)
def test_register_rejects_invalid_fields_with_422(client, payload, field):
    response = client.post(REGISTER, json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert body["status_code"] == 422
    assert body["message"] == "Validation failed."
    assert field in body["errors"]


def test_malformed_json_is_a_400_in_the_envelope(client):
    response = client.post(REGISTER, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["status_code"] == 400


def test_body_over_the_size_limit_is_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(REGISTER, data="x" * 1000, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["status_code"] == 413


def test_login_returns_bearer_tokens(client, app):
    register(client)
    response = login(client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == app.config["ACCESS_TOKEN_EXPIRE_MINUTES"] * 60
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == "ada@example.com"


def test_login_is_case_insensitive_on_email(client):
    register(client)
    assert login(client, email="ADA@EXAMPLE.COM").status_code == 200


def test_wrong_password_and_unknown_email_look_the_same(client):
    register(client)
    wrong_password = login(client, password="wrong-password")
    unknown_email = login(client, email="nobody@example.com")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json() == unknown_email.get_json()


@pytest.mark.parametrize("payload", [{}, {"email": "a@example.com"}, {"password": "x"}, [1, 2]])
def test_login_with_missing_fields_is_422(client, payload):
    response = client.post(LOGIN, json=payload)
    assert response.status_code == 422
    assert response.get_json()["status_code"] == 422


def test_refresh_issues_a_new_access_token(client):
    register(client)
    tokens = login(client).get_json()
    response = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status_code == 200
    new_token = response.get_json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new_token}"})
    assert me.status_code == 200


def test_access_token_cannot_refresh_and_refresh_token_cannot_authenticate(client):
    register(client)
    tokens = login(client).get_json()
    refresh_with_access = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    me_with_refresh = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refresh_with_access.status_code == 401
    assert me_with_refresh.status_code == 401


def test_logout_revokes_the_presented_token(client):
    register(client)
    tokens = login(client).get_json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"status_code": 401, "message": "Token has been revoked."}


def test_logout_of_a_refresh_token_stops_refreshing(client):
    register(client)
    tokens = login(client).get_json()
    headers = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=headers).status_code == 401


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature[:-4]}AAAA"


@pytest.mark.parametrize(
    "make_header",
    [
        lambda app, token: {},
        lambda app, token: {"Authorization": "Bearer"},
        lambda app, token: {"Authorization": "Basic abc"},
        lambda app, token: {"Authorization": "Bearer not.a.jwt"},
        lambda app, token: {"Authorization": f"Bearer {_tampered(token)}"},
        lambda app, token: {
            "Authorization": "Bearer "
            + pyjwt.encode(
                {"sub": "1", "type": "access", "jti": "x", "fresh": False},
                "another-key-entirely-another-key-entirely",
                algorithm="HS256",
            )
        },
        lambda app, token: {
            "Authorization": "Bearer "
            + create_access_token(identity="1", expires_delta=timedelta(seconds=-10))
        },
    ],
    ids=[
        "missing",
        "empty-bearer",
        "wrong-scheme",
        "malformed",
        "tampered",
        "other-key",
        "expired",
    ],
)
def test_every_token_failure_is_401_in_the_envelope(client, app, make_header):
    register(client)
    token = login(client).get_json()["access_token"]
    response = client.get("/api/v1/auth/me", headers=make_header(app, token))
    assert response.status_code == 401
    body = response.get_json()
    assert set(body) == {"status_code", "message"}
    assert body["status_code"] == 401


def test_token_of_a_deleted_user_is_401(client, db, student, auth_headers):
    headers = auth_headers(student)
    db.session.delete(student)
    db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def _login_from(client, address: str, email: str, password: str) -> int:
    response = client.post(
        LOGIN,
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


@pytest.fixture
def limited_login(make_app, app, student):
    """Login limits on Redis, small enough to exhaust in a test."""
    limited = make_app(
        RATE_LIMIT_ENABLED="true",
        LOGIN_RATE_LIMIT="50 per minute",
        LOGIN_EMAIL_CLIENT_RATE_LIMIT="3 per minute;6 per hour",
        LOGIN_EMAIL_RATE_LIMIT="9 per hour",
    )
    return limited.test_client()


def test_strangers_failing_from_other_addresses_do_not_lock_the_owner_out(limited_login, student):
    client = limited_login
    # Two strangers' addresses use up their strict (email, address) allowance: 6 failures.
    for address in ("198.51.100.1", "198.51.100.2"):
        assert [_login_from(client, address, student.email, "wrong") for _ in range(4)] == [
            401,
            401,
            401,
            429,
        ]
    # The owner, on their own address, still gets in, as often as they like.
    owner = "203.0.113.7"
    assert [_login_from(client, owner, student.email, "password123") for _ in range(5)] == [200] * 5
    # Failing on their own address is limited strictly, like anyone's.
    assert [_login_from(client, owner, student.email, "wrong") for _ in range(4)][-1] == 429


def test_the_per_email_limit_stops_strangers_with_many_addresses(limited_login, student):
    client = limited_login
    failures = [
        _login_from(client, f"198.51.100.{n}", student.email, "wrong")
        for n in range(1, 4)
        for _ in range(3)
    ]
    assert failures == [401] * 9
    # Nine failures from anywhere: the email is now refused everywhere for a while, owner too.
    assert _login_from(client, "198.51.100.99", student.email, "wrong") == 429
    assert _login_from(client, "203.0.113.7", student.email, "password123") == 429
    # Other accounts are unaffected.
    assert _login_from(client, "198.51.100.99", "other@example.com", "wrong") == 401


def test_default_login_limits_are_the_documented_ones(app):
    assert app.config["LOGIN_RATE_LIMIT"] == "10 per minute"
    assert app.config["LOGIN_EMAIL_CLIENT_RATE_LIMIT"] == "5 per minute;20 per hour"
    assert app.config["LOGIN_EMAIL_RATE_LIMIT"] == "100 per hour"


def test_no_answer_sets_a_cookie_and_no_session_is_kept(app, client):
    from flask import session
    from flask.sessions import NullSession

    register(client)
    response = client.post(LOGIN, json={"email": "ada@example.com", "password": "correct-horse"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with app.test_request_context("/"):
        assert isinstance(session._get_current_object(), NullSession)
