"""Payment provider webhook. No JWT: the request is authenticated by its HMAC signature.

It stays under the per-address rate limit like every route, so a flood of forged requests from
one address is cut off; the provider retries a 429 like any other non-2xx answer, and a retried
event is harmless because event ids are recorded once. The provider's Idempotency-Keys are its
own, apart from every user's.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, request

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import SIGNATURE_HEADER, verify_signature
from mentorhub.schemas.payments import PaymentEventSchema, PaymentSchema
from mentorhub.services import payments as payment_service
from mentorhub.services.idempotency import PAYMENT_PROVIDER

blp = ApiBlueprint("payments", __name__, url_prefix="/payments", description="Payment provider")

SIGNATURE_DOC = {
    "in": "header",
    "name": SIGNATURE_HEADER,
    "required": True,
    # The documented form; the server also accepts the same items in another order.
    "schema": {
        "type": "string",
        "minLength": 1,
        "pattern": "^t=[0-9]{1,12}(,v1=[0-9a-fA-F]{64})+$",
    },
    "description": (
        "`t=<unix seconds>,v1=<hex>`: v1 is the hex HMAC-SHA256 of `<t>.<raw body>` keyed with "
        "PAYMENT_WEBHOOK_SECRET; t must be within 5 minutes of the server's clock."
    ),
}


def signed_by_provider(view):
    """Check the signature on the raw body before anything parses it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        verify_signature(
            request.headers.get(SIGNATURE_HEADER),
            request.get_data(cache=True),
            current_app.config.get("PAYMENT_WEBHOOK_SECRET"),
        )
        return view(*args, **kwargs)

    return wrapper


# The signature header is documented on the path: `doc(parameters=...)` on the operation would
# replace the Idempotency-Key header that `idempotent` documents there.
@blp.post("/webhook", parameters=[SIGNATURE_DOC])
@signed_by_provider
@blp.idempotent(owner=lambda: PAYMENT_PROVIDER)
@blp.arguments(PaymentEventSchema)
@blp.response(201, PaymentSchema, description="Payment recorded")
@blp.alt_response(200, schema=PaymentSchema, description="Event already recorded; nothing new")
@blp.error_responses(
    {400: "Missing, invalid or stale signature", 503: "PAYMENT_WEBHOOK_SECRET is not set"}
)
def webhook(data: dict):
    """Record a payment event from the provider, once per event_id."""
    payment, created = payment_service.record_payment(**data)
    return payment, 201 if created else 200
