"""Users' time zones: set at registration and through PATCH /auth/me, validated, and used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mentorhub.calendars import format_end, format_span, format_time
from mentorhub.models import User
from tests.support.auth import AuthActions

ME = "/api/v1/auth/me"


def _register(client, **extra):
    return AuthActions(client).register("ken@example.com", name="Ken", **extra)


def _zone_errors(body: dict) -> list[str]:
    errors = body["errors"]
    # Field errors of a JSON body, whether or not the envelope nests them under "json".
    return errors.get("json", errors)["timezone"]


def test_registration_stores_the_zone_and_me_shows_it(client, db, auth_headers):
    response = _register(client, timezone="asia/tokyo")
    assert response.status_code == 201, response.get_json()
    # Stored as the tz database spells it, whatever the case it was typed in.
    assert response.get_json()["timezone"] == "Asia/Tokyo"
    user = db.session.get(User, response.get_json()["id"])
    assert client.get(ME, headers=auth_headers(user)).get_json()["timezone"] == "Asia/Tokyo"


def test_zone_defaults_to_utc(client):
    assert _register(client).get_json()["timezone"] == "UTC"


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus_Mons", "", "   ", "../../etc/passwd", "Europe/ Berlin", 42, "x" * 300],
)
def test_invalid_zone_at_registration_is_a_422_with_a_clear_message(client, zone):
    response = _register(client, timezone=zone)
    assert response.status_code == 422
    body = response.get_json()
    assert body["status_code"] == 422
    [message] = _zone_errors(body)
    assert "time zone" in message.lower() or "string" in message.lower()


def test_unknown_zone_message_names_the_zone_and_an_example(client):
    body = _register(client, timezone="Europe/Atlantis").get_json()
    [message] = _zone_errors(body)
    assert "Europe/Atlantis" in message and "Europe/Berlin" in message


def test_patch_me_changes_the_zone(client, student, auth_headers):
    headers = auth_headers(student)
    response = client.patch(ME, json={"timezone": "America/Sao_Paulo"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["timezone"] == "America/Sao_Paulo"
    assert client.get(ME, headers=headers).get_json()["timezone"] == "America/Sao_Paulo"


def test_patch_me_with_an_invalid_zone_is_a_422_and_changes_nothing(client, student, auth_headers):
    headers = auth_headers(student)
    client.patch(ME, json={"timezone": "Europe/Berlin"}, headers=headers)
    response = client.patch(ME, json={"timezone": "Berlin"}, headers=headers)
    assert response.status_code == 422
    assert "Berlin" in _zone_errors(response.get_json())[0]
    assert client.get(ME, headers=headers).get_json()["timezone"] == "Europe/Berlin"


def test_patch_me_needs_a_token(client):
    assert client.patch(ME, json={"timezone": "UTC"}).status_code == 401


def test_api_times_stay_iso_8601_with_an_offset(client, make_user, auth_headers):
    student = make_user("s@example.com")
    mentor = make_user("m@example.com", is_mentor=True)
    client.patch(ME, json={"timezone": "Asia/Tokyo"}, headers=auth_headers(student))
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    tokyo = start.astimezone(ZoneInfo("Asia/Tokyo")).isoformat()
    response = client.post(
        "/api/v1/sessions",
        json={"mentor_id": mentor.id, "topic": "Go", "scheduled_time": tokyo},
        headers=auth_headers(student),
    )
    assert response.status_code == 201, response.get_json()
    shown = datetime.fromisoformat(response.get_json()["scheduled_time"])
    assert shown.utcoffset() is not None and shown == start


def test_times_are_written_with_abbreviation_and_offset():
    moment = "2030-02-20T15:00:00+00:00"
    assert format_time(moment) == "Wed 20 Feb 2030, 15:00 UTC"
    assert format_time(moment, "Asia/Tokyo") == "Thu 21 Feb 2030, 00:00 JST (UTC+09:00)"
    assert format_time(moment, "Europe/Berlin") == "Wed 20 Feb 2030, 16:00 CET (UTC+01:00)"
    assert format_time(moment, "Asia/Kolkata") == "Wed 20 Feb 2030, 20:30 IST (UTC+05:30)"
    assert format_time(moment, "America/St_Johns") == "Wed 20 Feb 2030, 11:30 NST (UTC\u221203:30)"
    # A zone whose abbreviation is only a number: the offset says it once.
    assert format_time(moment, "Asia/Dubai") == "Wed 20 Feb 2030, 19:00 UTC+04:00"
    # Unknown zones (data written before zones existed) fall back to UTC.
    assert format_time(moment, "Nowhere/Else") == "Wed 20 Feb 2030, 15:00 UTC"


def test_daylight_saving_is_applied_at_the_instant_shown():
    # Europe/Berlin leaves CET for CEST at 01:00 UTC on the last Sunday of March.
    before = "2030-03-31T00:30:00+00:00"
    assert format_time(before, "Europe/Berlin") == "Sun 31 Mar 2030, 01:30 CET (UTC+01:00)"
    assert format_end(before, 90, "Europe/Berlin") == "Sun 31 Mar 2030, 04:00 CEST (UTC+02:00)"
    summer = "2030-07-01T12:00:00+00:00"
    assert format_time(summer, "Europe/Berlin") == "Mon 01 Jul 2030, 14:00 CEST (UTC+02:00)"
    assert format_time(summer, "America/New_York") == "Mon 01 Jul 2030, 08:00 EDT (UTC\u221204:00)"


def test_a_session_reads_as_start_to_end_in_the_readers_zone():
    start = "2030-02-20T15:00:00+00:00"
    los_angeles = format_span(start, 45, "America/Los_Angeles")
    assert los_angeles == "Wed 20 Feb 2030, 07:00\u201307:45 PST (UTC\u221208:00)"
    assert (
        format_span(start, 45, "Europe/Prague")
        == "Wed 20 Feb 2030, 16:00\u201316:45 CET (UTC+01:00)"
    )
    # Past midnight the end has its date; across a daylight-saving change, its own offset.
    late = format_span("2030-02-20T23:30:00+00:00", 60, "UTC")
    assert late == "Wed 20 Feb 2030, 23:30 UTC \u2013 Thu 21 Feb 2030, 00:30 UTC"
    across = format_span("2030-03-31T00:30:00+00:00", 90, "Europe/Berlin")
    assert across == "Sun 31 Mar 2030, 01:30 CET (UTC+01:00) \u2013 04:00 CEST (UTC+02:00)"
    assert format_span(start, None, "UTC") == "Wed 20 Feb 2030, 15:00 UTC"
