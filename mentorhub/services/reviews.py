"""Reviews of completed sessions, by the student who attended."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from mentorhub.errors import Conflict, Forbidden
from mentorhub.extensions import db
from mentorhub.mail.wording import cut_words
from mentorhub.models import Review, User
from mentorhub.models.session import SessionStatus
from mentorhub.services.notifications import notification_service
from mentorhub.services.sessions import get_session
from mentorhub.services.transactions import insert_or_conflict, retry_on_conflict

ALREADY_REVIEWED = "This session has already been reviewed."
EXCERPT_CHARS = 200


@retry_on_conflict
def review_session(user: User, session_id: int, rating: int, comment: str | None) -> Review:
    """Record the student's review of a completed session; 409 when not completed or reviewed."""
    session = get_session(user, session_id)
    if session.student_id != user.id:
        raise Forbidden("Only the student can review a session.")
    if session.status != SessionStatus.COMPLETED:
        raise Conflict("Only a completed session can be reviewed.")
    if db.session.scalar(select(Review.id).where(Review.session_id == session.id)) is not None:
        raise Conflict(ALREADY_REVIEWED)
    comment = comment.strip() if comment else None
    review = Review(
        session_id=session.id,
        reviewer_id=user.id,
        mentor_id=session.mentor_id,
        rating=rating,
        comment=comment or None,
    )
    # A concurrent request may review the same session first: the unique session_id decides.
    insert_or_conflict(review, ALREADY_REVIEWED, lambda: _tell_mentor(session, user, review))
    return review


def _tell_mentor(session, reviewer: User, review: Review) -> None:
    """`review_received` to the session's mentor, in the review's own transaction."""
    data = {
        "session_id": session.id,
        "topic": session.topic,
        "scheduled_time": session.scheduled_time.astimezone(UTC).isoformat(),
        "duration_minutes": session.duration_minutes,
        "rating": review.rating,
        "reviewer_name": reviewer.name,
        "excerpt": cut_words(review.comment or "", EXCERPT_CHARS) or None,
        "time_zone": session.mentor.timezone,
        "role": "mentor",
    }
    notification_service.notify_user(session.mentor, "review_received", data, ("email", "in_app"))
