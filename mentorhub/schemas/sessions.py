"""Schemas for booking, listing and changing sessions, and for reviews."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from mentorhub.calendars.meeting_links import MAX_LENGTH as MEETING_LINK_MAX_LENGTH
from mentorhub.calendars.meeting_links import meeting_link_problem
from mentorhub.models.session import LONGEST_SESSION_MINUTES
from mentorhub.schemas.common_fields import RowId, TrimmedString
from mentorhub.schemas.pagination import PageArgsSchema, PageSchema

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = LONGEST_SESSION_MINUTES
SESSION_LIST_FILTERS = ("upcoming", "past", "cancelled")
AWARE_TIME_HELP = "ISO 8601 with a UTC offset, e.g. 2030-05-01T15:00:00+02:00; naive times are 422."


def _check_meeting_link(link: str) -> None:
    problem = meeting_link_problem(link)
    if problem:
        raise ValidationError(problem)


# The call link participants open: a video provider's https room (the rule: meeting_links).
MEETING_LINK_FIELD = {
    "allow_none": True,
    "validate": [validate.Length(max=MEETING_LINK_MAX_LENGTH), _check_meeting_link],
    "metadata": {
        "description": (
            "The session's call link: https to a public host named in printable ASCII (an "
            "internationalised host in its xn-- form), without a user name, password or IP "
            "address."
        ),
        "format": "uri",
        # Documents the check for API clients (local names such as .localhost aside).
        "pattern": (
            r"^https://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
            r"([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})(:[0-9]{1,5})?([/?#][!-\[\]-~]*)?$"
        ),
        "maxLength": MEETING_LINK_MAX_LENGTH,
    },
}


class BookSessionSchema(Schema):
    """Body of POST /sessions."""

    mentor_id = RowId(required=True)
    topic = TrimmedString(200, required=True)
    scheduled_time = fields.AwareDateTime(required=True, metadata={"description": AWARE_TIME_HELP})
    duration_minutes = fields.Integer(
        load_default=60,
        strict=True,
        validate=validate.Range(min=MIN_DURATION_MINUTES, max=MAX_DURATION_MINUTES),
    )
    meeting_link = fields.String(load_default=None, **MEETING_LINK_FIELD)


class UpdateSessionSchema(Schema):
    """Body of PATCH /sessions/<id> (the mentor only)."""

    meeting_link = fields.String(required=True, **MEETING_LINK_FIELD)


class RescheduleSessionSchema(Schema):
    """Body of POST /sessions/<id>/reschedule."""

    scheduled_time = fields.AwareDateTime(required=True, metadata={"description": AWARE_TIME_HELP})


class CancelSessionSchema(Schema):
    """Body of POST /sessions/<id>/cancel; the body may be omitted."""

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class SessionListArgsSchema(PageArgsSchema):
    """Query of GET /sessions."""

    status = fields.String(
        load_default=None,
        validate=validate.OneOf(SESSION_LIST_FILTERS),
        metadata={"description": "upcoming (scheduled, not started), past, or cancelled."},
    )


class ParticipantSchema(Schema):
    """A session participant as the other participant sees them."""

    id = fields.Integer()
    name = fields.String()


class SessionSchema(Schema):
    """A session as its participants see it."""

    id = fields.Integer()
    mentor_id = fields.Integer()
    student_id = fields.Integer()
    mentor = fields.Nested(ParticipantSchema)
    student = fields.Nested(ParticipantSchema)
    topic = fields.String()
    scheduled_time = fields.DateTime()
    duration_minutes = fields.Integer()
    end_time = fields.DateTime()
    status = fields.String(metadata={"example": "scheduled"})
    meeting_link = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SessionPageSchema(PageSchema):
    """One page of GET /sessions."""

    items = fields.List(fields.Nested(SessionSchema), required=True)


class ReviewArgsSchema(Schema):
    """Body of POST /sessions/<id>/review."""

    rating = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReviewSchema(Schema):
    """A review of a session."""

    id = fields.Integer()
    session_id = fields.Integer()
    reviewer_id = fields.Integer()
    mentor_id = fields.Integer()
    rating = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()
