"""Schemas for registration, login and tokens."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from mentorhub.mail.addresses import INVALID, AddressError, app_mailable
from mentorhub.schemas.person_names import PersonName
from mentorhub.schemas.timezones import registration_zone_field

MIN_PASSWORD_LENGTH = 8
MAX_EMAIL_LENGTH = 254


class EmailField(fields.String):
    """An email address, validated and lower-cased on load."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("metadata", {"format": "email", "maxLength": MAX_EMAIL_LENGTH})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_EMAIL_LENGTH:
            raise ValidationError(INVALID)
        # The rule delivery applies: an address accepted here is one we can mail.
        try:
            return app_mailable(text).stored
        except AddressError as error:
            raise ValidationError(str(error)) from None


class RegisterSchema(Schema):
    """Body of POST /auth/register."""

    email = EmailField(required=True)
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=128),
    )
    name = PersonName(required=True)
    is_mentor = fields.Boolean(load_default=False)
    timezone = registration_zone_field()


class LoginSchema(Schema):
    """Body of POST /auth/login. Any string is accepted, so bad input looks like bad credentials."""

    email = fields.String(required=True, validate=validate.Length(max=MAX_EMAIL_LENGTH))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=128))


class UserSchema(Schema):
    """A user as the API shows it."""

    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    is_mentor = fields.Boolean(dump_only=True)
    timezone = fields.String(dump_only=True, metadata={"example": "Europe/Berlin"})
    created_at = fields.DateTime(dump_only=True)


class TokenSchema(Schema):
    """Tokens issued at login or refresh."""

    access_token = fields.String(required=True)
    refresh_token = fields.String()
    token_type = fields.String(required=True, metadata={"example": "bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})


class MessageSchema(Schema):
    """A plain acknowledgement."""

    message = fields.String(required=True)
