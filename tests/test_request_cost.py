"""A stranger's body costs the server little: refused, or parsed once by C code, never walked.

The bound asserted here is generous (the answers below take a few milliseconds); walking a
mebibyte of brackets in Python took hundreds, and over a second on /auth/login.
"""

from __future__ import annotations

import io
import time

import pytest

from tests.support.hostile_bodies import MIB, REFUSED_UNPARSED, empty_arrays

BOUND_MS = 100
UNMATCHED = "/api/v1/no-such-route"
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


@pytest.fixture
def production_like(make_app):
    """Rate limiting on Redis, as deployed (the limit high enough not to interfere)."""
    return make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="100000").test_client()


def cpu_ms(client, path: str, body: bytes) -> tuple[float, int]:
    """Least process CPU milliseconds of three posts of `body`, and the last status."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        response = client.post(path, data=body, content_type="application/json")
        best = min(best, (time.process_time() - started) * 1000)
    return best, response.status_code


@pytest.mark.parametrize("shape", list(REFUSED_UNPARSED))
@pytest.mark.parametrize("path, status", [(UNMATCHED, 404), (LOGIN, 400)])
def test_a_mebibyte_of_hostile_json_costs_at_most_tens_of_milliseconds(
    production_like, path, status, shape
):
    body = REFUSED_UNPARSED[shape]()
    assert MIB - 64 < len(body) <= MIB
    spent, answered = cpu_ms(production_like, path, body)
    assert answered == status
    assert spent < BOUND_MS, f"{shape} on {path}: {spent:.0f} ms of CPU"


class CountedReads(io.BytesIO):
    """A request body stream that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self.read_bytes += count
        return count

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


def test_a_url_that_matches_no_route_never_reads_the_body(production_like):
    stream = CountedReads(empty_arrays())
    response = production_like.post(UNMATCHED, input_stream=stream, content_type="application/json")
    assert response.status_code == 404
    assert response.get_json()["status_code"] == 404
    assert stream.read_bytes == 0


@pytest.mark.parametrize("path", [LOGIN, REGISTER])
@pytest.mark.parametrize(
    "number",
    ["9" * 4301, "-" + "9" * 5000, "1" + "0" * 10_000],
    ids=["just past the limit", "negative", "ten thousand digits"],
)
def test_an_integer_past_pythons_digit_limit_is_a_400(production_like, path, number):
    body = '{"email": "a@example.com", "password": "password123", "name": ' + number + "}"
    response = production_like.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {
        "status_code": 400,
        "message": "Malformed request body.",
        "errors": {"json": ["Invalid JSON."]},
    }


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_constants_are_not_json(production_like, constant):
    body = '{"email": "a@example.com", "password": ' + constant + "}"
    response = production_like.post(LOGIN, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Invalid JSON."]}


@pytest.mark.parametrize("number", ["1e999", "-1e99999", "1" + "0" * 400 + ".0"])
def test_numbers_too_large_for_a_float_are_refused(production_like, number):
    body = '{"email": "a@example.com", "password": "password123", "name": ' + number + "}"
    response = production_like.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["Numbers must be finite."]}


def test_too_many_arrays_and_objects_are_refused_before_parsing(production_like):
    response = production_like.post(LOGIN, data=empty_arrays(), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"json": ["More than 10000 arrays and objects."]}
