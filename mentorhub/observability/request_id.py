"""Request ids: taken from a trusted proxy when well formed, else made here; carried into jobs.

The id lives in the request's WSGI environ (an app context, and so `g`, may outlive one
request), and in the `meta` of the RQ jobs a request enqueues, so a worker's log lines about a
notification carry the id of the request behind it.
"""

from __future__ import annotations

import re
import uuid

from flask import current_app, has_request_context, request
from rq import get_current_job

HEADER = "X-Request-ID"
META_KEY = "request_id"
ENVIRON_KEY = "mentorhub.request_id"
# Ids from proxies (UUIDs, hex, trace ids) fit this; anything else could forge log lines.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _new_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id() -> str:
    """The proxy's X-Request-ID when a trusted proxy is configured and it is well formed."""
    if current_app.config.get("TRUSTED_PROXY_HOPS", 0) > 0:
        supplied = request.headers.get(HEADER)
        if supplied and WELL_FORMED.fullmatch(supplied):
            return supplied
    return _new_id()


def current_request_id() -> str | None:
    """This request's id, or the id of the request behind the running job; None elsewhere."""
    if has_request_context():
        environ = request.environ
        request_id = environ.get(ENVIRON_KEY)
        if request_id is None:
            request_id = environ[ENVIRON_KEY] = incoming_request_id()
        return request_id
    job = get_current_job()
    if job is not None:
        return job.meta.get(META_KEY)
    return None


def job_meta() -> dict[str, str]:
    """Metadata for a job enqueued now: the request id it should carry, if any."""
    request_id = current_request_id()
    return {META_KEY: request_id} if request_id else {}
