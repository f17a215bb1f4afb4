"""The Blueprint of every API module: smorest's, plus `authenticated` and `error_responses`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint
from marshmallow import Schema, missing
from webargs.flaskparser import FlaskParser, is_json_request

from mentorhub.openapi import ErrorSchema
from mentorhub.request_json import NO_BODY, request_json

View = TypeVar("View", bound=Callable)
BEARER = [{"bearerAuth": []}]


class ParsedOnceParser(FlaskParser):
    """webargs' Flask parser, reading the JSON body the request guard has already parsed."""

    def load_json(self, req: Request, schema: Schema):
        """The body as `mentorhub.request_json` parsed it (its 400s and 422s included)."""
        if not is_json_request(req):
            return missing
        document = request_json()
        return missing if document is NO_BODY else document


class ApiBlueprint(Blueprint):
    """A flask-smorest Blueprint whose routes declare their authentication and errors in a line."""

    # One parse per request, by the rules (and at the cost) the guard has applied.
    ARGUMENTS_PARSER = ParsedOnceParser()

    def authenticated(
        self, view: View | None = None, *, refresh: bool = False, any_token: bool = False
    ) -> View | Callable[[View], View]:
        """Require a valid, unrevoked bearer token, and document the 401 and the bearer scheme.

        `@blp.authenticated` takes an access token; `refresh=True` a refresh token only,
        `any_token=True` either kind. Put it right under the route, so a request without a good
        token is refused (401) before its body is parsed. The caller is `current_caller()`.
        """

        def decorate(func: View) -> View:
            kind = "refresh token" if refresh else "token"
            documented = self.alt_response(
                401, schema=ErrorSchema, description=f"Missing or invalid {kind}"
            )(self.doc(security=BEARER)(func))
            return jwt_required(refresh=refresh, verify_type=not any_token)(documented)

        return decorate(view) if view is not None else decorate

    def error_responses(self, descriptions: dict[int, str]) -> Callable[[View], View]:
        """Document error answers (in the envelope) by status: `{404: "No such session"}`."""

        def decorate(func: View) -> View:
            for status, description in descriptions.items():
                func = self.alt_response(status, schema=ErrorSchema, description=description)(func)
            return func

        return decorate
