"""Liveness and readiness probes."""

from __future__ import annotations

from marshmallow import Schema, fields

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.health import readiness_report

blp = ApiBlueprint("health", __name__, description="Liveness and readiness probes")


class HealthSchema(Schema):
    """Liveness answer."""

    status = fields.String(metadata={"example": "ok"})


class ReadySchema(Schema):
    """Readiness answer with one entry per dependency."""

    status = fields.String(
        metadata={"example": "ready", "enum": ["ready", "degraded", "not_ready"]}
    )
    checked_at = fields.DateTime(metadata={"description": "When the checks last ran"})
    checks = fields.Dict(keys=fields.String(), values=fields.Dict())


class ReadyQuerySchema(Schema):
    """Readiness options."""

    strict = fields.Boolean(
        load_default=False,
        metadata={"description": "Answer 503 unless every configured dependency is up"},
    )


@blp.get("/health")
@blp.response(200, HealthSchema)
def health():
    """Liveness: the process answers; no dependency is called."""
    return {"status": "ok"}


@blp.get("/ready")
@blp.arguments(ReadyQuerySchema, location="query")
@blp.response(200, ReadySchema)
@blp.alt_response(
    503,
    schema=ReadySchema,
    description="The database is unreachable (or, with strict, any dependency is down)",
)
def ready(query: dict):
    """Readiness: 503 only without the database; other outages give 200 `degraded`."""
    report = readiness_report()
    body = {"status": report.status, "checked_at": report.checked_at, "checks": report.checks}
    refused = report.status == "not_ready" or (query["strict"] and report.status != "ready")
    if refused:
        return body, 503
    return body
