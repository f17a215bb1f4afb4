"""Schemas for courses and enrollments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mentorhub.models import ENROLLMENT_STATUSES
from mentorhub.schemas.common_fields import QueryRowId, TrimmedString
from mentorhub.schemas.pagination import PageArgsSchema, PageSchema


class CreateCourseSchema(Schema):
    """Body of POST /courses."""

    title = TrimmedString(200, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))


class CourseListArgsSchema(PageArgsSchema):
    """Query of GET /courses."""

    mentor_id = QueryRowId(load_default=None, metadata={"description": "Only this mentor's."})


class CourseMentorSchema(Schema):
    """The mentor who teaches a course."""

    id = fields.Integer()
    name = fields.String()


class CourseSchema(Schema):
    """A course as any signed-in user sees it."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    mentor_id = fields.Integer()
    mentor = fields.Nested(CourseMentorSchema)
    created_at = fields.DateTime()


class CoursePageSchema(PageSchema):
    """One page of GET /courses."""

    items = fields.List(fields.Nested(CourseSchema), required=True)


class UpdateEnrollmentSchema(Schema):
    """Body of PATCH /enrollments/<id>."""

    status = fields.String(required=True, validate=validate.OneOf(ENROLLMENT_STATUSES))


class EnrollmentSchema(Schema):
    """An enrollment as its student sees it."""

    id = fields.Integer()
    course_id = fields.Integer()
    student_id = fields.Integer()
    status = fields.String(metadata={"example": "in_progress"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
