"""Reviews of completed sessions, by the student who attended."""

from __future__ import annotations

from sqlalchemy import select

from mentorhub.errors import Conflict, Forbidden
from mentorhub.extensions import db
from mentorhub.models import Review, User
from mentorhub.models.session import SessionStatus
from mentorhub.services.sessions import get_session
from mentorhub.services.transactions import insert_or_conflict, retry_on_conflict

ALREADY_REVIEWED = "This session has already been reviewed."


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
    insert_or_conflict(review, ALREADY_REVIEWED)
    return review
