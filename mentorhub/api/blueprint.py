"""The Blueprint of every API module: smorest's, plus `authenticated`, `idempotent` and
`error_responses`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint
from marshmallow import Schema, missing
from webargs.flaskparser import FlaskParser, is_json_request

from mentorhub.api.idempotency import run_once
from mentorhub.auth import current_caller
from mentorhub.openapi import ErrorSchema
from mentorhub.request_json import NO_BODY, request_json
from mentorhub.schemas.idempotency import IdempotencyKeySchema
from mentorhub.services.idempotency import Owner, user_keys

View = TypeVar("View", bound=Callable)
BEARER = [{"bearerAuth": []}]
# Our own record of the error descriptions a view declared, per status, across decorators.
ERROR_DESCRIPTIONS = "mentorhub_error_descriptions"
IDEMPOTENCY_ERRORS = {
    400: "Invalid Idempotency-Key header",
    409: "A request with this Idempotency-Key is still running: send it again after Retry-After",
    422: "The Idempotency-Key was already used for another request",
}


def callers_keys() -> Owner:
    """The signed-in caller's keys."""
    return user_keys(current_caller().id)


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

    def idempotent(
        self, view: View | None = None, *, owner: Callable[[], Owner] = callers_keys
    ) -> View | Callable[[View], View]:
        """Honour an `Idempotency-Key` header: the view runs once per key of its `owner`.

        A repeat with the same key and request gets the first answer; another request with the
        key a 422; a repeat while the first runs a 409 with Retry-After. The header, the 400 for
        a malformed one, the 409 and the 422 are documented. Put it under `authenticated`, so
        the caller who owns the keys is known.
        """

        def decorate(func: View) -> View:
            @wraps(func)
            def once(*args, idempotency: dict, **kwargs):
                key = idempotency.get("key")
                if key is None:
                    return func(*args, **kwargs)
                return run_once(owner(), key, lambda: func(*args, **kwargs))

            documented = self.error_responses(IDEMPOTENCY_ERRORS)(once)
            header = self.arguments(
                IdempotencyKeySchema,
                location="headers",
                arg_name="idempotency",
                error_status_code=400,
            )
            return header(documented)

        return decorate(view) if view is not None else decorate

    def error_responses(self, descriptions: dict[int, str]) -> Callable[[View], View]:
        """Document error answers (in the envelope) by status: `{404: "No such session"}`.

        Descriptions of one status declared by several decorators are joined.
        """

        def decorate(func: View) -> View:
            known = dict(getattr(func, ERROR_DESCRIPTIONS, {}))
            for status, description in descriptions.items():
                known[status] = (*known.get(status, ()), description)
                func = self.alt_response(status, schema=ErrorSchema, description=description)(func)
            # alt_response keeps one description per status; the document's are set last.
            joined = {status: {"description": ". ".join(texts)} for status, texts in known.items()}
            func = self.doc(responses=joined)(func)
            setattr(func, ERROR_DESCRIPTIONS, known)
            return func

        return decorate
