"""Idempotency-Key under concurrency (real PostgreSQL transactions) and after failed attempts.

A repeat that arrives while the first request with its key still runs does nothing and gets
409 with Retry-After; simultaneous repeats do the work once; a first attempt that failed or
died does not keep the key from being used again.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest
from flask import current_app
from sqlalchemy import update
from werkzeug.exceptions import ServiceUnavailable

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.extensions import db as _db
from mentorhub.models import IdempotencyKey, MentorSession, Message, utcnow
from mentorhub.services import idempotency
from tests.support.booking import book, in_hours
from tests.support.concurrency import race
from tests.support.http import keyed
from tests.support.rows import count_rows
from tests.support.run_resources import TEST_DATABASE
from tests.support.waiting import wait_until

MESSAGES = "/api/v1/messages"
KEY = "race-key-0001"
STILL_RUNNING = {
    "status_code": 409,
    "message": "A request with this Idempotency-Key is still running.",
}
flaky = ApiBlueprint("flaky", __name__, url_prefix="/flaky")


@flaky.post("")
@flaky.authenticated
@flaky.idempotent
@flaky.response(201)
def flaky_create():
    """Fails with the next planned failure, if any; else answers which attempt this was."""
    attempts = current_app.config["FLAKY_ATTEMPTS"]
    attempts.append(len(attempts) + 1)
    failures = current_app.config["FLAKY_FAILURES"]
    if failures:
        raise failures.pop(0)
    return {"attempt": attempts[-1]}


def waiting_on_a_lock() -> bool:
    """Whether some transaction on the test database waits for a row lock."""
    rows = TEST_DATABASE.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return rows[0][0] > 0


def test_a_repeat_while_the_first_runs_gets_409_and_retry_after(
    app, make_app, make_user, auth_headers
):
    # The rate limiter is on: its own Retry-After must not replace (or remove) this one.
    limited = make_app(RATE_LIMIT_ENABLED="true")
    student, mentor = make_user("student@example.com"), make_user("m@example.com", is_mentor=True)
    headers = keyed(auth_headers(student), KEY)
    start = in_hours(48)

    with ThreadPoolExecutor(1) as pool, psycopg.connect(TEST_DATABASE.url) as blocker:
        # Booking locks both users' rows: holding the mentor's keeps the first request inside
        # its work, after it claimed the key.
        blocker.execute("SELECT id FROM users WHERE id = %s FOR UPDATE", (mentor.id,))
        first = pool.submit(book, limited.test_client(), headers, mentor, start)
        wait_until(waiting_on_a_lock, 30, "the first booking to wait for the mentor's row")

        repeat = book(limited.test_client(), headers, mentor, start)
        assert repeat.status_code == 409
        assert repeat.get_json() == STILL_RUNNING
        assert repeat.headers["Retry-After"] == "1"
        assert count_rows(MentorSession) == 0
        blocker.commit()
        booked = first.result(timeout=30)

    assert booked.status_code == 201, booked.get_json()
    replayed = book(limited.test_client(), headers, mentor, start)
    assert (replayed.status_code, replayed.get_json()) == (201, booked.get_json())
    assert "Retry-After" not in replayed.headers
    assert count_rows(MentorSession) == 1
    # A conflict that waiting will not solve says nothing about coming back.
    busy = book(limited.test_client(), auth_headers(student), mentor, start)
    assert busy.status_code == 409 and "Retry-After" not in busy.headers


@pytest.mark.parametrize("round_", range(4))
def test_simultaneous_repeats_do_the_work_once(app, make_user, auth_headers, round_):
    sender, recipient = make_user("sender@example.com"), make_user("recipient@example.com")
    headers = keyed(auth_headers(sender), f"simultaneous-{round_}")
    body = {"recipient_id": recipient.id, "body": "Exactly once"}

    results = race(app, [lambda client: client.post(MESSAGES, json=body, headers=headers)] * 6)

    assert {status for status, _ in results} <= {201, 409}, results
    created = [answer for status, answer in results if status == 201]
    assert created and all(answer == created[0] for answer in created)
    assert all(answer == STILL_RUNNING for status, answer in results if status == 409)
    assert count_rows(Message) == 1


@pytest.mark.parametrize(
    "failure", [RuntimeError("crashed"), ServiceUnavailable()], ids=["exception", "503"]
)
def test_a_failed_first_attempt_leaves_the_key_free(app, make_user, auth_headers, failure):
    app.register_blueprint(flaky)
    app.config.update(FLAKY_ATTEMPTS=[], FLAKY_FAILURES=[failure], PROPAGATE_EXCEPTIONS=False)
    headers = keyed(auth_headers(make_user("client@example.com")), KEY)
    client = app.test_client()

    assert client.post("/flaky", headers=headers).status_code >= 500
    retried = client.post("/flaky", headers=headers)
    assert (retried.status_code, retried.get_json()) == (201, {"attempt": 2})
    assert client.post("/flaky", headers=headers).get_json() == {"attempt": 2}


def test_a_first_attempt_that_died_holds_the_key_only_for_its_lease(app, make_user, auth_headers):
    student, mentor = make_user("student@example.com"), make_user("m@example.com", is_mentor=True)
    headers = {**keyed(auth_headers(student), KEY), "Content-Type": "application/json"}
    data = json.dumps({"recipient_id": mentor.id, "body": "After a crash"}).encode()
    # What a request claims before its process is killed, leaving no answer and no release.
    sent = idempotency.fingerprint("POST", f"{MESSAGES}?", data)
    held = idempotency.claim(idempotency.user_keys(student.id), KEY, sent)
    assert isinstance(held, idempotency.Claim)
    client = app.test_client()

    assert client.post(MESSAGES, data=data, headers=headers).status_code == 409
    lapsed = utcnow() - timedelta(seconds=1)
    _db.session.execute(update(IdempotencyKey).values(lease_until=lapsed))
    _db.session.commit()
    taken_over = client.post(MESSAGES, data=data, headers=headers)
    assert taken_over.status_code == 201
    assert client.post(MESSAGES, data=data, headers=headers).get_json() == taken_over.get_json()
    assert count_rows(Message) == 1
    # The dead attempt's claim no longer counts: its late answer, had it come, is not stored.
    idempotency.complete(held, 500, [], b"late")
    assert client.post(MESSAGES, data=data, headers=headers).status_code == 201
