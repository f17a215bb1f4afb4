"""The Idempotency-Key request header, as the unsafe operations that honour it accept it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

# Visible ASCII (letters, digits, punctuation), no spaces: a UUID or any random token fits.
KEY_PATTERN = r"^[!-~]{1,255}$"
KEY_RULE = "Must be 1 to 255 visible ASCII characters (letters, digits, punctuation; no spaces)."
DESCRIPTION = (
    "Makes the request safe to send again. The first request with a key does the work; sent "
    "again with the same key, method, path and body (up to 24 hours later) it is not done "
    "again: the first answer comes back, with `Idempotent-Replayed: true`. The same key with "
    "another request is a 422; while the first request still runs, a repeat gets 409 with "
    "Retry-After. A first attempt that failed with a 5xx keeps nothing: send it again. Keys "
    "are the caller's own; a UUID per operation is a good key."
)


class IdempotencyKeySchema(Schema):
    """The optional Idempotency-Key header."""

    key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Regexp(KEY_PATTERN, error=KEY_RULE),
        metadata={
            "description": DESCRIPTION,
            "minLength": 1,
            "maxLength": 255,
            "example": "5f0c2a4e-8d1b-4f3e-9a7c-2b6d1e0f9a84",
        },
    )
