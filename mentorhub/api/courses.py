"""Course routes: create and list courses, enroll, and update an enrollment."""

from __future__ import annotations

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.schemas.courses import (
    CourseListArgsSchema,
    CoursePageSchema,
    CourseSchema,
    CreateCourseSchema,
    EnrollmentSchema,
    UpdateEnrollmentSchema,
)
from mentorhub.services import courses as course_service

blp = ApiBlueprint("courses", __name__, url_prefix="", description="Courses and enrollments")


@blp.post("/courses")
@blp.authenticated
@blp.idempotent
@blp.arguments(CreateCourseSchema)
@blp.response(201, CourseSchema)
@blp.error_responses({403: "Only mentors create courses"})
def create(data: dict):
    """Create a course taught by the caller (mentors only)."""
    return course_service.create_course(current_caller(), **data)


@blp.get("/courses")
@blp.authenticated
@blp.arguments(CourseListArgsSchema, location="query")
@blp.response(200, CoursePageSchema)
def list_courses(args: dict):
    """All courses, newest first, optionally one mentor's."""
    return course_service.list_courses(**args)


@blp.post("/courses/<int:course_id>/enroll")
@blp.authenticated
@blp.idempotent
@blp.response(201, EnrollmentSchema)
@blp.error_responses({403: "Only students enroll", 404: "No such course", 409: "Already enrolled"})
def enroll(course_id: int):
    """Enroll the caller in a course (students only, once)."""
    return course_service.enroll(current_caller(), course_id)


@blp.patch("/enrollments/<int:enrollment_id>")
@blp.authenticated
@blp.arguments(UpdateEnrollmentSchema)
@blp.response(200, EnrollmentSchema)
@blp.error_responses({404: "No such enrollment of the caller's"})
def update_enrollment(data: dict, enrollment_id: int):
    """Mark the caller's enrollment in progress or completed."""
    return course_service.update_enrollment(current_caller(), enrollment_id, data["status"])
