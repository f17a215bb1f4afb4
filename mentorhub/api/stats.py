"""Statistics routes: platform (public), user and dashboard (authenticated)."""

from __future__ import annotations

from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from mentorhub.api.auth import BEARER
from mentorhub.openapi import ErrorSchema
from mentorhub.schemas.stats import DashboardStatsSchema, PlatformStatsSchema, UserStatsSchema
from mentorhub.services.identity import current_account, current_identity
from mentorhub.stats import service as stats_service

blp = Blueprint("stats", __name__, url_prefix="/stats", description="Platform and user statistics")


@blp.get("/platform")
@blp.response(200, PlatformStatsSchema)
def platform():
    """Overall platform statistics (public, cached)."""
    return stats_service.platform_stats()


@blp.get("/user")
@jwt_required()
@blp.response(200, UserStatsSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def user():
    """The caller's statistics."""
    return stats_service.user_stats(current_account())


@blp.get("/dashboard")
@jwt_required()
@blp.response(200, DashboardStatsSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def dashboard():
    """The caller's dashboard figures."""
    # Id and role come from the token: the dashboard never loads the user row.
    caller = current_identity()
    return stats_service.dashboard_stats(caller.id, caller.is_mentor)
