"""Verification of the payment provider's `X-MentorHub-Signature` header.

The header is `t=<unix seconds>,v1=<hex>`; `v1` is the lowercase hex HMAC-SHA256, keyed with
PAYMENT_WEBHOOK_SECRET (UTF-8), of the bytes `<t>.<raw request body>` -- the timestamp as sent,
a full stop, then the body exactly as received, before any JSON parsing. Several `v1=` entries
may be sent (for secret rotation); one matching is enough. The timestamp must be within five
minutes of our clock either way, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time

from mentorhub.errors import APIError, BadRequest, client_address

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MentorHub-Signature"
TOLERANCE_SECONDS = 300
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_HEX_DIGEST = re.compile(r"^[0-9a-fA-F]{64}$")


class WebhookNotConfigured(APIError, status=503, message="Payment webhooks are not configured."):
    """No PAYMENT_WEBHOOK_SECRET: 503, so the provider keeps retrying until we are configured."""


def verify_signature(
    header: str | None, body: bytes, secret: str | None, now: float | None = None
) -> None:
    """Raise 400 unless `header` signs `body` within the tolerance; 503 when there is no secret."""
    if not secret:
        logger.error("payment webhook refused: PAYMENT_WEBHOOK_SECRET is not set")
        raise WebhookNotConfigured()
    timestamp, candidates = _parse_header(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        _reject("Signature timestamp is outside the tolerance.")
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        _reject("Invalid signature.")


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header:
        _reject("Missing signature.")
    timestamp = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and _TIMESTAMP.match(value):
            timestamp = int(value)
        elif key == "v1" and _HEX_DIGEST.match(value):
            # Only ASCII hex reaches compare_digest, which refuses other strings.
            candidates.append(value.lower())
    if timestamp is None or not candidates:
        _reject("Malformed signature header.")
    return timestamp, candidates


def _reject(reason: str):
    logger.warning("payment webhook from %s rejected: %s", client_address(), reason)
    raise BadRequest(reason)
