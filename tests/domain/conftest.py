"""Fixtures for the domain APIs: sessions in each state, a movable clock, a signed webhook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from mentorhub.services import scheduling
from tests.support.booking import SESSIONS, in_hours
from tests.support.payments import WEBHOOK_SECRET, payment_event
from tests.support.payments import post_webhook as post_payment_event


@pytest.fixture
def session(book, student, mentor) -> dict:
    """A scheduled session between `student` and `mentor`, two days ahead."""
    return book(student, mentor, in_hours(48)).get_json()


@pytest.fixture
def outsider(make_user):
    """A user who takes no part in `session`."""
    return make_user("outsider@example.com", is_mentor=True)


@pytest.fixture
def clock(monkeypatch) -> Callable[[datetime | None], None]:
    """Set the scheduling clock to a fixed moment (None restores the real clock)."""

    def set_now(moment: datetime | None) -> None:
        if moment is None:
            monkeypatch.setattr(scheduling, "now", lambda: datetime.now(UTC))
        else:
            monkeypatch.setattr(scheduling, "now", lambda: moment)

    return set_now


@pytest.fixture
def completed_session(book, client, auth_headers, clock, student, mentor) -> dict:
    """A session between `student` and `mentor` that started an hour ago and was completed."""
    start = in_hours(-1)
    clock(start - timedelta(hours=1))
    session = book(student, mentor, start).get_json()
    clock(None)
    response = client.post(f"{SESSIONS}/{session['id']}/complete", headers=auth_headers(mentor))
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def post_webhook(app, client) -> Callable:
    """POST a signed payment event with the secret configured; `payload` is a dict or raw bytes."""
    app.config["PAYMENT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    return partial(post_payment_event, client)


@pytest.fixture
def paid_session(book, student, mentor) -> dict:
    """The session a payment event refers to."""
    return book(student, mentor).get_json()


@pytest.fixture
def event(paid_session) -> dict:
    """A valid payment event for `paid_session`, as the provider sends it."""
    return payment_event(paid_session["id"])
