"""flask-smorest's Api: the error envelope, the bearer scheme, and Swagger UI served offline."""

from flask import Blueprint, Flask
from flask_smorest import Api
from marshmallow import Schema, fields
from swagger_ui_bundle import swagger_ui_path

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
# Swagger UI's scripts and styles come from the pinned swagger-ui-bundle package, so /docs
# works without Internet access and always matches the version we tested.
swagger_ui_assets = Blueprint(
    "swagger_ui_assets", __name__, static_folder=swagger_ui_path, static_url_path="/docs/assets"
)


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
    """Api documenting MentorHub's error envelope.

    Its own HTTPException handler is replaced by the app-wide one, which `create_app` registers
    after `api.init_app`, so this module needs nothing from `mentorhub.errors`.
    """

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app: Flask, *, spec_kwargs: dict | None = None) -> None:
        """Bind to the app, declare `bearerAuth`, and serve Swagger UI's assets locally."""
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
        app.register_blueprint(swagger_ui_assets)
