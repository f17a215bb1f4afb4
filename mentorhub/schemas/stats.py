"""Response shapes of the stats endpoints, exactly as documented for clients."""

from marshmallow import Schema, fields


class PlatformStatsSchema(Schema):
    """GET /stats/platform."""

    total_users = fields.Integer()
    total_mentors = fields.Integer()
    total_students = fields.Integer()
    total_sessions = fields.Integer()
    platform_name = fields.String()
    version = fields.String()


class RoleStatsSchema(Schema):
    """Session counts in one role."""

    total_sessions = fields.Integer()
    completed_sessions = fields.Integer()


class UserStatsSchema(Schema):
    """GET /stats/user."""

    user_id = fields.Integer()
    email = fields.String()
    is_mentor = fields.Boolean()
    created_at = fields.String(metadata={"description": "ISO 8601"})
    mentor_stats = fields.Nested(RoleStatsSchema)
    student_stats = fields.Nested(RoleStatsSchema)


class DashboardStatsSchema(Schema):
    """GET /stats/dashboard."""

    total_courses = fields.Integer()
    in_progress = fields.Integer()
    completed = fields.Integer()
    total_sessions = fields.Integer()
    upcoming_sessions = fields.Integer()
    completed_sessions = fields.Integer()
    total_reviews = fields.Integer()
    average_rating = fields.Float(allow_none=True)
