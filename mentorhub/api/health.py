"""Liveness and readiness probes."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from mentorhub.services.health import readiness

blp = Blueprint("health", __name__, description="Liveness and readiness probes")


class HealthSchema(Schema):
    """Liveness answer."""

    status = fields.String(metadata={"example": "ok"})


class ReadySchema(Schema):
    """Readiness answer with one entry per dependency."""

    status = fields.String(metadata={"example": "ready"})
    checks = fields.Dict(keys=fields.String(), values=fields.Dict())


@blp.get("/health")
@blp.response(200, HealthSchema)
def health():
    """Liveness: the process answers; no dependency is called."""
    return {"status": "ok"}


@blp.get("/ready")
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema, description="A dependency is down")
def ready():
    """Readiness: database, Redis and SMTP (when configured), each with its latency."""
    is_ready, checks = readiness()
    if is_ready:
        return {"status": "ready", "checks": checks}
    return ReadySchema().dump({"status": "not_ready", "checks": checks}), 503
