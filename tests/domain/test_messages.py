"""Direct messages: sending, refusals, and paging one conversation with a cursor."""

from __future__ import annotations

import pytest

from mentorhub.models import Message
from mentorhub.notifications import events

MESSAGES = "/api/v1/messages"


@pytest.fixture
def send(client, auth_headers):
    def factory(sender, recipient_id, body="Hello"):
        return client.post(
            MESSAGES,
            json={"recipient_id": recipient_id, "body": body},
            headers=auth_headers(sender),
        )

    return factory


def conversation(client, headers, other_id, **query):
    params = "&".join(f"{k}={v}" for k, v in {"with": other_id, **query}.items())
    return client.get(f"{MESSAGES}?{params}", headers=headers)


def test_a_user_sends_a_message(send, student, mentor, monkeypatch):
    raised = []
    monkeypatch.setattr(events, "message_sent", lambda m: raised.append((m.id, m.body)))
    response = send(student, mentor.id, "  Can we talk about hooks?  ")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["sender_id"], body["recipient_id"]) == (student.id, mentor.id)
    assert body["body"] == "Can we talk about hooks?"
    assert body["read_at"] is None
    assert raised == [(body["id"], "Can we talk about hooks?")]


def test_a_failing_event_hook_stores_no_message(send, student, mentor, monkeypatch, db):
    def explode(message):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(events, "message_sent", explode)
    assert send(student, mentor.id).status_code == 500
    assert db.session.query(Message).count() == 0


def test_messaging_yourself_or_nobody_is_422(send, student, db):
    to_self = send(student, student.id)
    to_nobody = send(student, 999999)
    assert to_self.status_code == to_nobody.status_code == 422
    assert "recipient_id" in to_self.get_json()["errors"]
    assert "recipient_id" in to_nobody.get_json()["errors"]
    assert db.session.query(Message).count() == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"body": "hi"}, "recipient_id"),
        ({"recipient_id": "2", "body": "hi"}, "recipient_id"),
        ({"recipient_id": 2**31, "body": "hi"}, "recipient_id"),
        ({"recipient_id": 2}, "body"),
        ({"recipient_id": 2, "body": "   "}, "body"),
        ({"recipient_id": 2, "body": "x" * 5001}, "body"),
        ({"recipient_id": 2, "body": ["hi"]}, "body"),
        ({"recipient_id": 2, "body": "hi", "subject": "x"}, "subject"),
    ],
)
def test_invalid_messages_are_422(client, auth_headers, student, mentor, payload, field):
    response = client.post(MESSAGES, json=payload, headers=auth_headers(student))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_the_longest_body_is_accepted(send, student, mentor):
    assert send(student, mentor.id, "x" * 5000).status_code == 201


def test_sending_needs_a_token_and_valid_json(client, auth_headers, student, mentor):
    assert client.post(MESSAGES, json={"recipient_id": mentor.id, "body": "x"}).status_code == 401
    response = client.post(
        MESSAGES, data="{", content_type="application/json", headers=auth_headers(student)
    )
    assert response.status_code == 400


def test_a_conversation_pages_newest_first_with_a_cursor(
    send, client, auth_headers, student, mentor, make_user
):
    ids = []
    for i in range(5):
        sender, recipient = (student, mentor) if i % 2 == 0 else (mentor, student)
        ids.append(send(sender, recipient.id, f"m{i}").get_json()["id"])
    send(student, make_user().id, "elsewhere")  # another conversation
    first = conversation(client, auth_headers(student), mentor.id, per_page=2).get_json()
    assert [m["id"] for m in first["items"]] == [ids[4], ids[3]]
    assert first["next_before"] == ids[3]
    second = conversation(
        client, auth_headers(student), mentor.id, per_page=2, before=first["next_before"]
    ).get_json()
    assert [m["id"] for m in second["items"]] == [ids[2], ids[1]]
    last = conversation(
        client, auth_headers(student), mentor.id, per_page=2, before=second["next_before"]
    ).get_json()
    assert [m["body"] for m in last["items"]] == ["m0"]
    assert last["next_before"] is None


def test_reading_marks_only_the_readers_incoming_messages(
    send, client, auth_headers, student, mentor
):
    to_mentor = send(student, mentor.id, "question").get_json()
    to_student = send(mentor, student.id, "answer").get_json()
    as_student = conversation(client, auth_headers(student), mentor.id).get_json()["items"]
    read = {m["id"]: m["read_at"] for m in as_student}
    assert read[to_student["id"]] is not None
    assert read[to_mentor["id"]] is None


def test_only_the_callers_conversations_are_visible(
    send, client, auth_headers, student, mentor, make_user
):
    send(student, mentor.id, "private")
    snoop = make_user()
    response = conversation(client, auth_headers(snoop), mentor.id)
    assert response.status_code == 200
    assert response.get_json() == {"items": [], "next_before": None}


@pytest.mark.parametrize(
    "query, field",
    [
        ({}, "with"),
        ({"with": "abc"}, "with"),
        ({"with": 2, "per_page": 0}, "per_page"),
        ({"with": 2, "per_page": 101}, "per_page"),
        ({"with": 2, "before": 0}, "before"),
        ({"with": 2, "before": 2**31}, "before"),
        ({"with": 2**31}, "with"),
    ],
)
def test_bad_conversation_queries_are_422(client, auth_headers, student, query, field):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(f"{MESSAGES}?{params}", headers=auth_headers(student))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_conversation_with_yourself_is_422(client, auth_headers, student):
    response = conversation(client, auth_headers(student), student.id)
    assert response.status_code == 422
    assert "with" in response.get_json()["errors"]


def test_reading_needs_a_token(client, mentor):
    assert client.get(f"{MESSAGES}?with={mentor.id}").status_code == 401
