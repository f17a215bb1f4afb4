"""Session routes: book, list, show, cancel, reschedule, complete and review."""

from __future__ import annotations

from flask.views import MethodView

from mentorhub.api.blueprint import ApiBlueprint
from mentorhub.auth import current_caller
from mentorhub.schemas.sessions import (
    BookSessionSchema,
    CancelSessionSchema,
    RescheduleSessionSchema,
    ReviewArgsSchema,
    ReviewSchema,
    SessionListArgsSchema,
    SessionPageSchema,
    SessionSchema,
    UpdateSessionSchema,
)
from mentorhub.services import reviews as review_service
from mentorhub.services import sessions as session_service

blp = ApiBlueprint("sessions", __name__, url_prefix="/sessions", description="Mentorship sessions")
NOT_A_PARTICIPANT = "No such session, or the caller is not a participant"


@blp.post("")
@blp.authenticated
@blp.idempotent
@blp.arguments(BookSessionSchema)
@blp.response(201, SessionSchema)
@blp.error_responses({409: "The mentor or the student is busy"})
def book(data: dict):
    """Book a session with a mentor."""
    return session_service.book_session(current_caller(), **data)


@blp.get("")
@blp.authenticated
@blp.arguments(SessionListArgsSchema, location="query")
@blp.response(200, SessionPageSchema)
def list_sessions(args: dict):
    """The caller's sessions, as mentor or student, one page at a time."""
    return session_service.list_sessions(current_caller(), **args)


@blp.route("/<int:session_id>")
class SessionView(MethodView):
    """One session: GET and PATCH share one rule, so a bad id is a 404 for both."""

    @blp.authenticated
    @blp.response(200, SessionSchema)
    @blp.error_responses({404: NOT_A_PARTICIPANT})
    def get(self, session_id: int):
        """One session; only its participants can see it."""
        return session_service.get_session(current_caller(), session_id)

    @blp.authenticated
    @blp.arguments(UpdateSessionSchema)
    @blp.response(200, SessionSchema)
    @blp.error_responses(
        {403: "Only the mentor can change it", 404: NOT_A_PARTICIPANT, 409: "Not scheduled"}
    )
    def patch(self, data: dict, session_id: int):
        """Set or clear the session's call link (the mentor); reminders still due carry it."""
        return session_service.set_meeting_link(current_caller(), session_id, data["meeting_link"])


@blp.post("/<int:session_id>/cancel")
@blp.authenticated
@blp.arguments(CancelSessionSchema, required=False)
@blp.response(200, SessionSchema)
@blp.error_responses({404: NOT_A_PARTICIPANT, 409: "The session is no longer scheduled"})
def cancel(data: dict, session_id: int):
    """Cancel a scheduled session (either participant)."""
    return session_service.cancel_session(current_caller(), session_id, data.get("reason"))


@blp.post("/<int:session_id>/reschedule")
@blp.authenticated
@blp.arguments(RescheduleSessionSchema)
@blp.response(200, SessionSchema)
@blp.error_responses({404: NOT_A_PARTICIPANT, 409: "Not scheduled, or the new slot is taken"})
def reschedule(data: dict, session_id: int):
    """Move a scheduled session to another time (either participant)."""
    return session_service.reschedule_session(current_caller(), session_id, data["scheduled_time"])


@blp.post("/<int:session_id>/complete")
@blp.authenticated
@blp.response(200, SessionSchema)
@blp.error_responses(
    {
        403: "Only the mentor can complete it",
        404: NOT_A_PARTICIPANT,
        409: "Not scheduled, or not started yet",
    }
)
def complete(session_id: int):
    """Mark a session completed (the mentor, after its start time)."""
    return session_service.complete_session(current_caller(), session_id)


@blp.post("/<int:session_id>/review")
@blp.authenticated
@blp.idempotent
@blp.arguments(ReviewArgsSchema)
@blp.response(201, ReviewSchema)
@blp.error_responses(
    {
        403: "Only the student can review it",
        404: NOT_A_PARTICIPANT,
        409: "Not completed, or already reviewed",
    }
)
def review(data: dict, session_id: int):
    """Review a completed session (the student, once)."""
    return review_service.review_session(current_caller(), session_id, **data)
