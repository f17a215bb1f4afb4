"""Session routes: book, list, show, cancel, reschedule, complete and review."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import current_user, jwt_required
from flask_smorest import Blueprint

from mentorhub.api.auth import BEARER
from mentorhub.openapi import ErrorSchema
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

blp = Blueprint("sessions", __name__, url_prefix="/sessions", description="Mentorship sessions")
NOT_A_PARTICIPANT = "No such session, or the caller is not a participant"


@blp.post("")
@jwt_required()
@blp.arguments(BookSessionSchema)
@blp.response(201, SessionSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The mentor or the student is busy")
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def book(data: dict):
    """Book a session with a mentor."""
    return session_service.book_session(current_user, **data)


@blp.get("")
@jwt_required()
@blp.arguments(SessionListArgsSchema, location="query")
@blp.response(200, SessionPageSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def list_sessions(args: dict):
    """The caller's sessions, as mentor or student, one page at a time."""
    return session_service.list_sessions(current_user, **args)


@blp.route("/<int:session_id>")
class SessionView(MethodView):
    """One session: GET and PATCH share one rule, so a bad id is a 404 for both."""

    @jwt_required()
    @blp.response(200, SessionSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_A_PARTICIPANT)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
    @blp.doc(security=BEARER)
    def get(self, session_id: int):
        """One session; only its participants can see it."""
        return session_service.get_session(current_user, session_id)

    @jwt_required()
    @blp.arguments(UpdateSessionSchema)
    @blp.response(200, SessionSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Only the mentor can change it")
    @blp.alt_response(409, schema=ErrorSchema, description="Not scheduled")
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_A_PARTICIPANT)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
    @blp.doc(security=BEARER)
    def patch(self, data: dict, session_id: int):
        """Set or clear the session's call link (the mentor); reminders still due carry it."""
        return session_service.set_meeting_link(current_user, session_id, data["meeting_link"])


@blp.post("/<int:session_id>/cancel")
@jwt_required()
@blp.arguments(CancelSessionSchema, required=False)
@blp.response(200, SessionSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The session is no longer scheduled")
@blp.alt_response(404, schema=ErrorSchema, description=NOT_A_PARTICIPANT)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def cancel(data: dict, session_id: int):
    """Cancel a scheduled session (either participant)."""
    return session_service.cancel_session(current_user, session_id, data.get("reason"))


@blp.post("/<int:session_id>/reschedule")
@jwt_required()
@blp.arguments(RescheduleSessionSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Not scheduled, or the new slot is taken")
@blp.alt_response(404, schema=ErrorSchema, description=NOT_A_PARTICIPANT)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def reschedule(data: dict, session_id: int):
    """Move a scheduled session to another time (either participant)."""
    return session_service.reschedule_session(current_user, session_id, data["scheduled_time"])


@blp.post("/<int:session_id>/complete")
@jwt_required()
@blp.response(200, SessionSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Only the mentor can complete it")
@blp.alt_response(409, schema=ErrorSchema, description="Not scheduled, or not started yet")
@blp.alt_response(404, schema=ErrorSchema, description=NOT_A_PARTICIPANT)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def complete(session_id: int):
    """Mark a session completed (the mentor, after its start time)."""
    return session_service.complete_session(current_user, session_id)


@blp.post("/<int:session_id>/review")
@jwt_required()
@blp.arguments(ReviewArgsSchema)
@blp.response(201, ReviewSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Only the student can review it")
@blp.alt_response(409, schema=ErrorSchema, description="Not completed, or already reviewed")
@blp.alt_response(404, schema=ErrorSchema, description=NOT_A_PARTICIPANT)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.doc(security=BEARER)
def review(data: dict, session_id: int):
    """Review a completed session (the student, once)."""
    return review_service.review_session(current_user, session_id, **data)
