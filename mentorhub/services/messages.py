"""Direct messages between users, and paging through one conversation."""

from __future__ import annotations

from sqlalchemy import and_, or_, select, update

from mentorhub.errors import Unprocessable
from mentorhub.extensions import db
from mentorhub.models import Message, User, utcnow
from mentorhub.notifications import events


def send_message(sender: User, recipient_id: int, body: str) -> Message:
    """Send `body` to another existing user; 422 for yourself or an unknown recipient."""
    if recipient_id == sender.id:
        raise Unprocessable(errors={"recipient_id": ["You cannot message yourself."]})
    if db.session.get(User, recipient_id) is None:
        raise Unprocessable(errors={"recipient_id": ["No user with this id."]})
    message = Message(sender_id=sender.id, recipient_id=recipient_id, body=body)
    db.session.add(message)
    db.session.flush()
    events.message_sent(message)
    db.session.commit()
    return message


def conversation_page(user: User, other_id: int, before: int | None, per_page: int) -> dict:
    """The caller's messages with `other_id`, newest first; marks the ones shown to them read."""
    if other_id == user.id:
        raise Unprocessable(errors={"with": ["A conversation needs another user."]})
    pair = or_(
        and_(Message.sender_id == user.id, Message.recipient_id == other_id),
        and_(Message.sender_id == other_id, Message.recipient_id == user.id),
    )
    query = select(Message.id).where(pair)
    if before is not None:
        query = query.where(Message.id < before)
    ids = list(db.session.scalars(query.order_by(Message.id.desc()).limit(per_page + 1)))
    has_more = len(ids) > per_page
    ids = ids[:per_page]
    if ids:
        _mark_read(user, ids)
    items = db.session.scalars(
        select(Message).where(Message.id.in_(ids)).order_by(Message.id.desc())
    ).all()
    return {"items": items, "next_before": ids[-1] if has_more else None}


def _mark_read(reader: User, ids: list[int]) -> None:
    # Only the recipient reading a message marks it read; the sender's view changes nothing.
    db.session.execute(
        update(Message)
        .where(Message.id.in_(ids), Message.recipient_id == reader.id, Message.read_at.is_(None))
        .values(read_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
