"""The data model; importing this package registers every table on `db.metadata`."""

from mentorhub.models.course import ENROLLMENT_STATUSES, Course, Enrollment
from mentorhub.models.review import Review
from mentorhub.models.session import SESSION_STATUSES, MentorSession
from mentorhub.models.token import RevokedToken
from mentorhub.models.types import utcnow
from mentorhub.models.user import User

__all__ = [
    "ENROLLMENT_STATUSES",
    "SESSION_STATUSES",
    "Course",
    "Enrollment",
    "MentorSession",
    "Review",
    "RevokedToken",
    "User",
    "utcnow",
]
