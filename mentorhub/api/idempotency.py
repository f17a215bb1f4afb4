"""Running a view once per Idempotency-Key, and answering a repeat with the stored answer.

Every answer below 500 is stored, errors included (a refused booking is refused again, not
retried against a changed world); a 5xx, or an exception on the way out, releases the key.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from mentorhub.errors import APIError
from mentorhub.services import idempotency
from mentorhub.services.idempotency import Answer, Owner

REPLAYED_HEADER = "Idempotent-Replayed"
# What a repeat needs of the first answer's headers; the rest is per response (request id,
# rate limit) and is set afresh.
KEPT_HEADERS = ("Content-Type", "Location")


def run_once(owner: Owner, key: str, view: Callable[[], object]) -> Response:
    """The view's answer for the first request with `key`; the stored one for a repeat."""
    sent = idempotency.fingerprint(request.method, request.full_path, request.get_data())
    claimed = idempotency.claim(owner, key, sent)
    if isinstance(claimed, Answer):
        return _replay(claimed)
    try:
        try:
            response = current_app.make_response(view())
        except (APIError, HTTPException) as error:
            response = current_app.make_response(current_app.handle_user_exception(error))
    except BaseException:
        # Crashed, timed out (gunicorn's abort raises SystemExit) or lost the database: the
        # work may not have happened, so the key must not keep a request from being retried.
        idempotency.release(claimed)
        raise
    if response.status_code >= 500:
        idempotency.release(claimed)
    else:
        kept = [(name, value) for name, value in response.headers if name in KEPT_HEADERS]
        idempotency.complete(claimed, response.status_code, kept, response.get_data())
    return response


def _replay(answer: Answer) -> Response:
    response = current_app.response_class(answer.body, answer.status, answer.headers)
    response.headers[REPLAYED_HEADER] = "true"
    return response
