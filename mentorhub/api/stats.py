"""Statistics routes: platform (public), user and dashboard (authenticated)."""

from __future__ import annotations

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.schemas.stats import DashboardStatsSchema, PlatformStatsSchema, UserStatsSchema
from mentorhub.services import stats as stats_service

blp = ApiBlueprint(
    "stats", __name__, url_prefix="/stats", description="Platform and user statistics"
)


@blp.get("/platform")
@blp.response(200, PlatformStatsSchema)
def platform():
    """Overall platform statistics (public, cached)."""
    return stats_service.platform_stats()


@blp.get("/user")
@blp.authenticated
@blp.response(200, UserStatsSchema)
def user():
    """The caller's statistics."""
    return stats_service.user_stats(current_caller().row())


@blp.get("/dashboard")
@blp.authenticated
@blp.response(200, DashboardStatsSchema)
def dashboard():
    """The caller's dashboard figures."""
    # Id and role come from the token: the dashboard never loads the user row.
    caller = current_caller()
    return stats_service.dashboard_stats(caller.id, caller.is_mentor)
