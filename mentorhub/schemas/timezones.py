"""A field for IANA time zone names, and the body of PATCH /auth/me."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from mentorhub.calendars.zones import (
    DEFAULT_ZONE,
    MAX_ZONE_LENGTH,
    InvalidTimeZone,
    canonical_zone,
)

ZONE_HELP = "An IANA time zone such as Europe/Berlin or Asia/Tokyo; times you read use it."


class TimeZoneField(fields.String):
    """An IANA time zone name, checked against the tz database and stored as it spells it."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "metadata",
            {
                "description": ZONE_HELP,
                "example": "Europe/Berlin",
                # What the server checks before looking the name up: not blank, not too long.
                "pattern": r"\S",
                "maxLength": MAX_ZONE_LENGTH,
            },
        )
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return canonical_zone(text)
        except InvalidTimeZone as error:
            raise ValidationError(str(error)) from None


class UpdateMeSchema(Schema):
    """Body of PATCH /auth/me."""

    timezone = TimeZoneField(required=True)


def registration_zone_field() -> TimeZoneField:
    """The optional `timezone` of a registration, UTC when left out."""
    return TimeZoneField(load_default=DEFAULT_ZONE)
