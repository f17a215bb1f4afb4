"""POST /payments/webhook: who may call it -- the signature, its freshness, and the limiter."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.payments import WEBHOOK_SECRET, sign, stored_payments

WEBHOOK = "/api/v1/payments/webhook"


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "v1=" + "0" * 64,
        "t=abc,v1=" + "0" * 64,
        "t=123",
        "t=now,v1=zz",
        "garbage",
        "t=1,v1=é",
    ],
)
def test_missing_or_malformed_signatures_are_400(post_webhook, event, db, signature):
    if signature.startswith("t=1,"):
        signature = f"t={int(time.time())},v1=é"
    response = post_webhook(event, signature=signature)
    assert response.status_code == 400
    assert stored_payments(db) == []


def test_a_wrong_secret_is_400(post_webhook, event, db):
    response = post_webhook(event, secret="not-the-provider")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Invalid signature."
    assert stored_payments(db) == []


def test_a_body_changed_after_signing_is_400(post_webhook, event, db):
    signed = json.dumps(event).encode()
    tampered = json.dumps({**event, "amount": "0.01"}).encode()
    response = post_webhook(tampered, signature=sign(signed))
    assert response.status_code == 400
    assert stored_payments(db) == []


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json(post_webhook, event):
    reformatted = json.dumps(event, indent=2).encode()
    assert post_webhook(reformatted, signature=sign(json.dumps(event).encode())).status_code == 400
    assert post_webhook(reformatted).status_code == 201


@pytest.mark.parametrize("age", [301, -301, 10_000])
def test_stale_or_future_timestamps_are_400(post_webhook, event, db, age):
    response = post_webhook(event, timestamp=int(time.time()) - age)
    assert response.status_code == 400
    assert response.get_json()["message"] == "Signature timestamp is outside the tolerance."
    assert stored_payments(db) == []


def test_a_timestamp_within_five_minutes_is_accepted(post_webhook, event):
    assert post_webhook(event, timestamp=int(time.time()) - 280).status_code == 201


def test_any_matching_v1_entry_is_enough(post_webhook, event):
    body = json.dumps(event).encode()
    good = sign(body)
    rotated = good.replace(",v1=", ",v1=" + "a" * 64 + ",v1=")
    assert post_webhook(body, signature=rotated).status_code == 201


def test_the_signature_is_checked_before_the_body_is_parsed(post_webhook):
    assert post_webhook(b"{not json", signature="t=1,v1=" + "0" * 64).status_code == 400
    assert post_webhook({"event_id": 5}, signature="").status_code == 400


def test_without_a_configured_secret_everything_is_refused(app, client, event, db):
    app.config["PAYMENT_WEBHOOK_SECRET"] = None
    body = json.dumps(event).encode()
    response = client.post(
        WEBHOOK,
        data=body,
        headers={"X-MentorHub-Signature": sign(body, secret=WEBHOOK_SECRET)},
        content_type="application/json",
    )
    assert response.status_code == 503
    assert stored_payments(db) == []


def test_the_webhook_needs_no_token_but_is_rate_limited(make_app, paid_session):
    limited = make_app(
        PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_REQUESTS="2",
        RATE_LIMIT_WINDOW="60",
    )
    client = limited.test_client()
    statuses = []
    for i in range(3):
        body = json.dumps(
            {
                "event_id": f"evt_rl_{i}",
                "session_id": paid_session["id"],
                "amount": "10.00",
                "currency": "EUR",
                "payer_email": "payer@example.com",
            }
        ).encode()
        response = client.post(
            WEBHOOK,
            data=body,
            headers={"X-MentorHub-Signature": sign(body)},
            content_type="application/json",
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 429]
