"""Idempotency-Key: a repeat gets the first answer, and the work is done once.

Through the API on PostgreSQL (and once on the embedded SQLite): replays, changed requests,
keys of other callers, expiry and pruning, malformed keys, the document. Races between two
requests with one key are in test_idempotency_races.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from config import ConfigError, load_config
from mentorhub.extensions import db as _db
from mentorhub.models import IdempotencyKey, MentorSession, Message, Payment, utcnow
from mentorhub.retention import run_retention_pass
from mentorhub.schemas.idempotency import KEY_RULE
from tests.support.auth import AuthActions, bearer
from tests.support.booking import book
from tests.support.environ import app_environ
from tests.support.http import keyed
from tests.support.payments import WEBHOOK_SECRET, payment_event, post_webhook
from tests.support.rows import count_rows

MESSAGES = "/api/v1/messages"
KEY = "3b1f7c0e-5a2d-4e8f-9c6b-1d0a2e4f6b8c"


@pytest.fixture
def pair(make_user, auth_headers) -> tuple[dict, object]:
    """A student's headers, and a mentor."""
    student = make_user("student@example.com")
    return auth_headers(student), make_user("mentor@example.com", is_mentor=True)


def test_a_repeated_message_is_sent_once_and_answered_the_same(client, pair):
    headers, mentor = pair
    body = {"recipient_id": mentor.id, "body": "Hello once"}
    first = client.post(MESSAGES, json=body, headers=keyed(headers, KEY))
    again = client.post(MESSAGES, json=body, headers=keyed(headers, KEY))

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_rows(Message) == 1


def test_a_repeated_booking_gets_its_own_201_not_a_conflict_with_itself(client, pair):
    headers, mentor = pair
    first = book(client, keyed(headers, KEY), mentor)
    again = book(client, keyed(headers, KEY), mentor)
    assert first.status_code == 201, first.get_json()
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    # Without a key the same booking is new work, and the slot is taken by then.
    assert book(client, headers, mentor).status_code == 409
    assert count_rows(MentorSession) == 1


def test_an_error_answer_is_kept_too(client, pair):
    headers, mentor = pair
    body = {"recipient_id": 999_999, "body": "Nobody"}
    first = client.post(MESSAGES, json=body, headers=keyed(headers, KEY))
    again = client.post(MESSAGES, json=body, headers=keyed(headers, KEY))
    assert first.status_code == again.status_code == 422
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    "change",
    [
        lambda c, h, m: c.post(MESSAGES, json={"recipient_id": m.id, "body": "Other"}, headers=h),
        lambda c, h, m: book(c, h, m),
    ],
    ids=["another body", "another operation"],
)
def test_a_key_sent_with_another_request_is_a_422(client, pair, change):
    headers, mentor = pair
    body = {"recipient_id": mentor.id, "body": "The first"}
    assert client.post(MESSAGES, json=body, headers=keyed(headers, KEY)).status_code == 201
    refused = change(client, keyed(headers, KEY), mentor)
    assert refused.status_code == 422
    assert refused.get_json() == {
        "status_code": 422,
        "message": "Idempotency-Key reused.",
        "errors": {"Idempotency-Key": ["This key was already used for another request."]},
    }
    assert count_rows(Message) == 1 and count_rows(MentorSession) == 0


def test_keys_belong_to_their_caller(client, make_user, auth_headers, pair):
    headers, mentor = pair
    other = auth_headers(make_user("other@example.com"))
    body = {"recipient_id": mentor.id, "body": "Same words"}
    mine = client.post(MESSAGES, json=body, headers=keyed(headers, KEY))
    theirs = client.post(MESSAGES, json=body, headers=keyed(other, KEY))
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert theirs.get_json()["sender_id"] != mine.get_json()["sender_id"]
    # The payment provider's keys are apart from every user's, and its repeats replay.
    client.application.config["PAYMENT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    session_id = book(client, headers, mentor).get_json()["id"]
    event = payment_event(session_id, "evt_keyed")
    paid = [post_webhook(client, event, headers=keyed({}, KEY)) for _ in range(2)]
    assert [answer.status_code for answer in paid] == [201, 201]
    assert paid[1].headers["Idempotent-Replayed"] == "true"
    assert count_rows(Payment) == 1


def test_keys_live_a_day_then_expire_and_are_pruned(app, client, pair):
    headers, mentor = pair
    body = {"recipient_id": mentor.id, "body": "Hello again"}
    client.post(MESSAGES, json=body, headers=keyed(headers, KEY))
    record = _db.session.scalars(select(IdempotencyKey)).one()
    assert record.expires_at - record.created_at >= timedelta(hours=24)
    assert run_retention_pass()["idempotency_keys"] == 0

    # A day later the key is forgotten: the same request is new work.
    _db.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    _db.session.commit()
    later = client.post(MESSAGES, json=body, headers=keyed(headers, KEY))
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert count_rows(Message) == 2
    _db.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    _db.session.commit()
    assert run_retention_pass()["idempotency_keys"] == 1
    assert count_rows(IdempotencyKey) == 0


def test_a_lifetime_under_a_day_is_refused():
    with pytest.raises(ConfigError, match="IDEMPOTENCY_KEY_HOURS"):
        load_config("testing", app_environ(IDEMPOTENCY_KEY_HOURS="23"))


@pytest.mark.parametrize(
    "value", ["", " ", "with space", "x" * 256, "cl\u00e9", "tab\there"], ids=repr
)
def test_a_malformed_key_is_a_400_and_nothing_is_done(client, pair, value):
    headers, mentor = pair
    body = {"recipient_id": mentor.id, "body": "Hello"}
    refused = client.post(MESSAGES, json=body, headers=keyed(headers, value))
    assert refused.status_code == 400
    assert refused.get_json() == {
        "status_code": 400,
        "message": "Invalid request header.",
        "errors": {"Idempotency-Key": [KEY_RULE]},
    }
    assert count_rows(Message) == 0 and count_rows(IdempotencyKey) == 0


def test_the_longest_key_is_taken(client, pair):
    headers, mentor = pair
    body = {"recipient_id": mentor.id, "body": "Hello"}
    longest = "~" + "K" * 253 + "!"
    assert client.post(MESSAGES, json=body, headers=keyed(headers, longest)).status_code == 201


def test_a_deleted_account_takes_its_keys_along(client, make_user, auth_headers):
    leaving = make_user("leaving@example.com")
    # A message to nobody: refused, so its key and answer are all the account leaves behind.
    body = {"recipient_id": 999_999, "body": "Bye"}
    client.post(MESSAGES, json=body, headers=keyed(auth_headers(leaving), KEY))
    assert count_rows(IdempotencyKey) == 1
    _db.session.delete(leaving)
    _db.session.commit()
    assert count_rows(IdempotencyKey) == 0


def test_replays_work_on_the_embedded_sqlite_default(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'keys.db'}", REDIS_URL="")
    with app.app_context():
        _db.create_all()
        auth = AuthActions(app.test_client())
        mentor = auth.sign_up("mentor@example.com", is_mentor=True)
        auth.sign_up("student@example.com")
        headers = keyed(bearer(auth.sign_in("student@example.com")["access_token"]), KEY)
        body = {"recipient_id": mentor["id"], "body": "Hello from SQLite"}
        answers = [auth.client.post(MESSAGES, json=body, headers=headers) for _ in range(2)]
        assert [answer.status_code for answer in answers] == [201, 201]
        assert answers[1].get_json() == answers[0].get_json()
        assert count_rows(Message) == 1
