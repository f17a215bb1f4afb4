"""Booking sessions through the API, and moving them on, for every test that needs a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

SESSIONS = "/api/v1/sessions"


def iso(moment: datetime) -> str:
    """An ISO 8601 timestamp with its offset, as clients send it."""
    return moment.isoformat()


def in_hours(hours: float) -> datetime:
    """A UTC moment `hours` from the real now, on a whole minute."""
    moment = datetime.now(UTC) + timedelta(hours=hours)
    return moment.replace(second=0, microsecond=0)


def in_days(days: float, hour: int) -> datetime:
    """A UTC moment `days` from now, on the hour `hour`."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def book(client, headers: dict, mentor, start: datetime | None = None, **fields):
    """POST /sessions with `headers` (the student's) for `mentor` (a user or an id); the response.

    Two days ahead, an hour on React Hooks, unless `start` and `fields` say otherwise.
    """
    body = {
        "mentor_id": getattr(mentor, "id", mentor),
        "topic": "React Hooks",
        "scheduled_time": iso(start or in_hours(48)),
        "duration_minutes": 60,
        **fields,
    }
    return client.post(SESSIONS, json=body, headers=headers)


def booked(client, headers: dict, mentor, start: datetime | None = None, **fields) -> dict:
    """Book as `book` does, insisting on 201; the session as the API returns it."""
    response = book(client, headers, mentor, start, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def session_action(client, path: str, headers: dict, **kwargs):
    """POST to /sessions<path> (e.g. "/3/cancel") with `headers`."""
    return client.post(f"{SESSIONS}{path}", headers=headers, **kwargs)
