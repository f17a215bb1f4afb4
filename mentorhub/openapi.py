"""flask-smorest's Api, answering its errors in MentorHub's single JSON envelope."""

from flask_smorest import Api
from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """The error envelope every 4xx and 5xx response uses."""

    status_code = fields.Integer(required=True, metadata={"example": 422})
    message = fields.String(required=True, metadata={"example": "Validation failed."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field, on validation errors only."},
    )


class MentorHubApi(Api):
    """Api whose HTTPException handler is the app-wide one from `mentorhub.errors`."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):  # type: ignore[override]
        """Delegate to the app's single error formatter."""
        from mentorhub.errors import handle_http_exception

        return handle_http_exception(error)
