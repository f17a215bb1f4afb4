"""Schemas for the payment provider's webhook."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from mentorhub.schemas.auth import EmailField
from mentorhub.schemas.common_fields import RowId

MAX_AMOUNT = Decimal("9999999999.99")  # Numeric(12, 2)


def _cents_at_most(value: Decimal) -> None:
    # normalize() drops trailing zeros ("1.50" is fine) and never raises, unlike quantize().
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("At most two decimal places.")


class CurrencyField(fields.String):
    """A three-letter ISO 4217 code, upper-cased on load."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("metadata", {"pattern": "^[A-Za-z]{3}$", "example": "EUR"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs)
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise ValidationError("Must be a three-letter currency code.")
        return code.upper()


class PaymentEventSchema(Schema):
    """Body of POST /payments/webhook, as the provider sends it."""

    event_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    session_id = RowId(required=True)
    amount = fields.Decimal(
        required=True,
        validate=[validate.Range(min=Decimal("0.01"), max=MAX_AMOUNT), _cents_at_most],
        # apispec would render the Decimal bounds as strings, which is not valid OpenAPI.
        metadata={"minimum": 0.01, "maximum": float(MAX_AMOUNT)},
    )
    currency = CurrencyField(required=True)
    payer_email = EmailField(required=True)


class PaymentSchema(Schema):
    """A recorded payment."""

    id = fields.Integer()
    event_id = fields.String()
    session_id = fields.Integer()
    amount = fields.Decimal(as_string=True, metadata={"example": "49.99"})
    currency = fields.String(metadata={"example": "USD"})
    payer_email = fields.String()
    created_at = fields.DateTime()
