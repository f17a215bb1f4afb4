"""The data model; importing this package registers every table on `db.metadata`."""

from mentorhub.models.counters import PlatformCounter
from mentorhub.models.course import ENROLLMENT_STATUSES, Course, Enrollment, EnrollmentStatus
from mentorhub.models.idempotency import IdempotencyKey
from mentorhub.models.message import Message
from mentorhub.models.notification import (
    NOTIFICATION_CHANNELS,
    NOTIFICATION_STATUSES,
    Notification,
    NotificationPreference,
    NotificationStatus,
)
from mentorhub.models.payment import Payment
from mentorhub.models.review import Review
from mentorhub.models.session import SESSION_STATUSES, MentorSession, SessionStatus
from mentorhub.models.token import RevokedToken
from mentorhub.models.types import utcnow
from mentorhub.models.user import User

__all__ = [
    "ENROLLMENT_STATUSES",
    "SESSION_STATUSES",
    "Course",
    "Enrollment",
    "EnrollmentStatus",
    "IdempotencyKey",
    "MentorSession",
    "Message",
    "NOTIFICATION_CHANNELS",
    "NOTIFICATION_STATUSES",
    "Notification",
    "NotificationPreference",
    "NotificationStatus",
    "Payment",
    "SessionStatus",
    "PlatformCounter",
    "Review",
    "RevokedToken",
    "User",
    "utcnow",
]
