"""One JSON error envelope for every error: `{"status_code", "message", "errors"?}`."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from mentorhub.extensions import db

logger = logging.getLogger(__name__)

RATE_LIMIT_MESSAGE = "Too many requests. Please try again later."
GENERIC_500_MESSAGE = "An internal error occurred. Please try again later."
LOST_CONNECTION_MESSAGE = "The database connection was lost. Please try again."
# Retry-After means "send this again later": the server is limiting the client (429) or is
# unavailable (503), or the client's own identical request is still running (409).
RETRY_AFTER_STATUSES = frozenset({409, 429, 503})


class APIError(Exception):
    """A domain error with an HTTP status; raise a subclass instead of calling abort.

    A subclass names its status and default message in its class line:
    `class Gone(APIError, status=410, message="Gone."):`.
    """

    status_code = 400
    message = "Bad request."
    # Seconds to wait before sending the same request again (Retry-After), when that helps.
    retry_after: int | None = None

    def __init_subclass__(cls, status: int | None = None, message: str | None = None) -> None:
        super().__init_subclass__()
        if status is not None:
            cls.status_code = status
        if message is not None:
            cls.message = message

    def __init__(self, message: str | None = None, errors: dict | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors


class BadRequest(APIError, status=400):
    """The request is malformed."""


class Unauthorized(APIError, status=401, message="Authentication required."):
    """Credentials are missing or wrong."""


class Forbidden(APIError, status=403, message="You are not allowed to do this."):
    """The caller may not do this."""


class NotFound(APIError, status=404, message="Not found."):
    """The resource does not exist, or the caller may not know it does."""


class Conflict(APIError, status=409, message="Conflict."):
    """The request conflicts with the current state."""


class Unprocessable(APIError, status=422, message="Validation failed."):
    """The request is well-formed but its content is invalid."""


def client_address() -> str:
    """The client address as the app sees it (after ProxyFix, when configured)."""
    return request.remote_addr or "-"


def error_response(
    status: int,
    message: str,
    errors: dict | None = None,
    headers: dict | list | None = None,
) -> Response:
    """Build the JSON error envelope."""
    payload: dict = {"status_code": status, "message": message}
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def flatten_field_errors(messages: dict) -> dict:
    """Turn webargs' `{location: {field: [msg]}}` into `{field: [msg]}`."""
    flat: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for field, field_messages in fields.items():
                flat.setdefault(str(field), []).extend(_as_strings(field_messages))
        else:
            flat.setdefault(str(location), []).extend(_as_strings(fields))
    return flat


def _as_strings(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{key}: {msg}" for key, value in messages.items() for msg in _as_strings(value)]
    if isinstance(messages, (list, tuple)):
        return [str(m) for m in messages]
    return [str(messages)]


def handle_http_exception(error: HTTPException) -> Response:
    """Answer any HTTPException in the envelope, keeping its headers (Allow, Retry-After...)."""
    status = error.code or 500
    if status >= 500:
        return handle_internal_error(error)
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data:
        errors = flatten_field_errors(data["messages"])
    message = data.get("message") or error.description or error.name
    if status == 422 and errors:
        message = "Validation failed."
    if status == 400 and errors:
        locations = data["messages"]
        message = "Malformed request body." if "json" in locations else message
        message = "Invalid request header." if "headers" in locations else message
    if status == 429:
        message = RATE_LIMIT_MESSAGE
        logger.warning("rate limit exceeded for %s on %s", client_address(), request.path)
    return error_response(status, message, errors, _kept_headers(error, status))


def _kept_headers(error: HTTPException, status: int) -> list[tuple[str, str]]:
    # The envelope sets its own body headers, and a client may only be told to come back later
    # with the statuses where that means something.
    dropped = {"content-type", "content-length"}
    if status not in RETRY_AFTER_STATUSES:
        dropped.add("retry-after")
    return [(k, v) for k, v in error.get_response().headers if k.lower() not in dropped]


def handle_api_error(error: APIError) -> Response:
    """Answer a domain error."""
    if error.status_code in (401, 403):
        logger.warning("%s for %s on %s", error.status_code, client_address(), request.path)
    headers = [("Retry-After", str(error.retry_after))] if error.retry_after else None
    return error_response(error.status_code, error.message, error.errors, headers)


def handle_internal_error(error: Exception) -> Response:
    """Roll back, log the traceback, and answer a generic message."""
    discard_session()
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, HTTPException) or isinstance(original, InternalServerError):
        logger.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    # Only an HTTPException's code is a status: database errors carry a string `code` too.
    status = error.code if isinstance(error, HTTPException) else None
    headers = None
    if status == 503:
        headers = _kept_headers(error, status)
    elif not isinstance(status, int) or status < 500:
        status = 500
    return error_response(status, GENERIC_500_MESSAGE, headers=headers)


def handle_database_error(error: DBAPIError) -> Response:
    """A connection that died under the request is a 503 to retry; other database errors 500."""
    if not error.connection_invalidated:
        return handle_internal_error(error)
    # The server rolled the transaction back with the connection, so nothing was half-written;
    # the pool drops the connection and the next request gets a fresh one.
    discard_session()
    logger.warning("database connection lost on %s %s: %s", request.method, request.path, error)
    return error_response(503, LOST_CONNECTION_MESSAGE, headers=[("Retry-After", "1")])


def discard_session() -> None:
    """Roll back the request's database session; a dead connection must not hide the error."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the answer is a 500 either way
        logger.warning("rollback failed; discarding the database session", exc_info=True)
        try:
            db.session.close()
        except Exception:  # noqa: BLE001
            logger.warning("closing the database session failed", exc_info=True)


def release_session(error: BaseException | None = None) -> None:
    """At teardown, end the database session; a connection that died meanwhile is only logged."""
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001
        # The server already rolled back the dead connection's transaction, and the response
        # is built: failing it now would only turn a correct answer into a 500.
        logger.warning("releasing the database session failed", exc_info=True)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers, replacing smorest's own (so call it after `api.init_app`)."""
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_internal_error)
