"""POST /payments/webhook: signed by the provider, recorded once per event id."""

from __future__ import annotations

import json

import pytest

from mentorhub.notifications import events
from tests.support.concurrency import concurrently
from tests.support.payments import sign, stored_payments

WEBHOOK = "/api/v1/payments/webhook"


def test_a_signed_event_records_the_payment(post_webhook, event, db, monkeypatch):
    raised = []
    monkeypatch.setattr(events, "payment_received", lambda p: raised.append(p.event_id))
    response = post_webhook(event)
    assert response.status_code == 201
    body = response.get_json()
    assert body["event_id"] == "evt_001"
    assert (body["amount"], body["currency"], body["payer_email"]) == (
        "49.90",
        "USD",
        "payer@example.com",
    )
    [payment] = stored_payments(db)
    assert payment.session.id == event["session_id"]
    assert str(payment.amount) == "49.90"
    assert raised == ["evt_001"]


def test_a_numeric_amount_is_accepted(post_webhook, event):
    response = post_webhook({**event, "amount": 120})
    assert response.status_code == 201
    assert response.get_json()["amount"] == "120.00"


def test_a_replayed_event_is_200_and_stores_nothing_new(post_webhook, event, db, monkeypatch):
    raised = []
    monkeypatch.setattr(events, "payment_received", lambda p: raised.append(p.event_id))
    first = post_webhook(event)
    replay = post_webhook({**event, "amount": "1.00"})
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.get_json() == first.get_json()
    assert len(stored_payments(db)) == 1
    assert raised == ["evt_001"]


def test_concurrent_deliveries_of_one_event_store_it_once(app, post_webhook, event, db):
    body = json.dumps(event).encode()
    headers = {"X-MentorHub-Signature": sign(body)}

    def deliver(client):
        return client.post(WEBHOOK, data=body, headers=headers, content_type="application/json")

    assert concurrently(app, [deliver] * 6) == [200] * 5 + [201]
    assert len(stored_payments(db)) == 1


def test_a_signed_malformed_body_is_400(post_webhook, db):
    response = post_webhook(b"{not json")
    assert response.status_code == 400
    assert stored_payments(db) == []


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.999"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "10000000000.00"}, "amount"),
        ({"currency": "US"}, "currency"),
        ({"currency": "U$D"}, "currency"),
        ({"payer_email": "nope"}, "payer_email"),
        ({"event_id": ""}, "event_id"),
        ({"session_id": "1"}, "session_id"),
        ({"session_id": 2**31}, "session_id"),
        ({"amount": "1" * 40 + ".001"}, "amount"),
        ({"refund": True}, "refund"),
    ],
)
def test_invalid_events_are_422(post_webhook, event, db, overrides, field):
    response = post_webhook({**event, **overrides})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert stored_payments(db) == []


def test_an_unknown_session_is_422(post_webhook, event, db):
    response = post_webhook({**event, "session_id": 999999})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"session_id": ["No session with this id."]}
    assert stored_payments(db) == []
