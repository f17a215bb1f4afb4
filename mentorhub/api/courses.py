"""Course routes: create and list courses, enroll, and update an enrollment."""

from __future__ import annotations

from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from mentorhub.api.auth import BEARER
from mentorhub.openapi import ErrorSchema
from mentorhub.schemas.courses import (
    CourseListArgsSchema,
    CoursePageSchema,
    CourseSchema,
    CreateCourseSchema,
    EnrollmentSchema,
    UpdateEnrollmentSchema,
)
from mentorhub.services import courses as course_service

blp = Blueprint("courses", __name__, url_prefix="", description="Courses and enrollments")


@blp.post("/courses")
@jwt_required()
@blp.arguments(CreateCourseSchema)
@blp.response(201, CourseSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Only mentors create courses")
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def create(data: dict):
    """Create a course taught by the caller (mentors only)."""
    return course_service.create_course(current_user, **data)


@blp.get("/courses")
@jwt_required()
@blp.arguments(CourseListArgsSchema, location="query")
@blp.response(200, CoursePageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def list_courses(args: dict):
    """All courses, newest first, optionally one mentor's."""
    return course_service.list_courses(**args)


@blp.post("/courses/<int:course_id>/enroll")
@jwt_required()
@blp.response(201, EnrollmentSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Only students enroll")
@blp.alt_response(404, schema=ErrorSchema, description="No such course")
@blp.alt_response(409, schema=ErrorSchema, description="Already enrolled")
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def enroll(course_id: int):
    """Enroll the caller in a course (students only, once)."""
    return course_service.enroll(current_user, course_id)


@blp.patch("/enrollments/<int:enrollment_id>")
@jwt_required()
@blp.arguments(UpdateEnrollmentSchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such enrollment of the caller's")
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def update_enrollment(data: dict, enrollment_id: int):
    """Mark the caller's enrollment in progress or completed."""
    return course_service.update_enrollment(current_user, enrollment_id, data["status"])
