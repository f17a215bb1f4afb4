"""Keeping the platform counters current from the app's Session events.

The counters follow every ORM write, so the other modules need not call anything:

- the unit of work (`add`, `delete`, changing `User.is_mentor`) adjusts them exactly, after
  locking the rows it deletes or demotes, so two transactions never count the same change;
- a plain ORM bulk INSERT with a list of parameter dicts is counted from its parameters, and a
  bulk DELETE of sessions from its row count;
- anything else that may change a total (bulk UPDATE/DELETE of users, INSERT ... SELECT, a user
  delete whose sessions the database cascades away) marks the counters stale, and a background
  job recounts them. Writes that bypass the Session (raw connections, COPY, psql) need
  `flask stats rebuild`.

The listeners are attached by `init_counter_tracking`, from `create_app`, and act only for apps
that called it: importing this module changes nothing.
"""

from __future__ import annotations

from collections import Counter

from flask import Flask, current_app
from sqlalchemy import event, insert, select
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm import attributes as orm_attributes

from mentorhub.extensions import db
from mentorhub.models import MentorSession, User
from mentorhub.models.counters import apply_counter_delta

EXTENSION_KEY = "mentorhub.counter_tracking"
_LOCKED_KEY = "mentorhub.counters_locked"


def init_counter_tracking(app: Flask) -> None:
    """Count this app's ORM writes into the platform counters."""
    app.extensions[EXTENSION_KEY] = True
    # The app's session is Flask-SQLAlchemy's scoped session; attaching is idempotent, and the
    # listeners skip apps that did not ask for tracking.
    for name, listener in _LISTENERS.items():
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _tracking() -> bool:
    return bool(current_app and current_app.extensions.get(EXTENSION_KEY))


def _mentor_flag_changed(user: User) -> bool:
    return orm_attributes.get_history(user, "is_mentor").has_changes()


def _lock_rows_about_to_change(session: Session, flush_context, instances) -> None:
    """Lock the rows this flush deletes or re-roles, and read their values under the lock."""
    if not _tracking():
        return
    users = [u.id for u in session.deleted if isinstance(u, User)]
    users += [u.id for u in session.dirty if isinstance(u, User) and _mentor_flag_changed(u)]
    sessions = [s.id for s in session.deleted if isinstance(s, MentorSession)]
    locked: dict = {"users": {}, "sessions": set()}
    connection = session.connection() if users or sessions else None
    if users:
        rows = connection.execute(
            select(User.id, User.is_mentor)
            .where(User.id.in_(users))
            .order_by(User.id)  # one lock order for everyone: no deadlock between flushes
            .with_for_update()
        )
        locked["users"] = {row.id: bool(row.is_mentor) for row in rows}
    if sessions:
        rows = connection.execute(
            select(MentorSession.id)
            .where(MentorSession.id.in_(sessions))
            .order_by(MentorSession.id)
            .with_for_update()
        )
        locked["sessions"] = {row.id for row in rows}
    session.info[_LOCKED_KEY] = locked


def _count_flushed_changes(session: Session, flush_context) -> None:
    """Turn what this flush inserted, deleted and re-roled into one counter update."""
    locked = session.info.pop(_LOCKED_KEY, None)
    if locked is None:
        return
    delta: Counter = Counter()
    for obj in session.new:
        if isinstance(obj, User):
            delta.update(users=1, mentors=int(bool(obj.is_mentor)))
        elif isinstance(obj, MentorSession):
            delta["sessions"] += 1
    for obj in session.deleted:
        # Only rows we locked were still there to delete: a concurrent delete counted itself.
        if isinstance(obj, User) and obj.id in locked["users"]:
            delta.subtract(users=1, mentors=int(locked["users"][obj.id]))
            delta["stale"] = 1  # the database cascades the user's sessions away
        elif isinstance(obj, MentorSession) and obj.id in locked["sessions"]:
            delta["sessions"] -= 1
    for obj in session.dirty:
        if isinstance(obj, User) and obj.id in locked["users"] and obj not in session.deleted:
            delta["mentors"] += int(bool(obj.is_mentor)) - int(locked["users"][obj.id])
    if any(delta.values()):
        apply_counter_delta(session.connection(), delta)


def _count_bulk_writes(state: ORMExecuteState):
    """Count bulk INSERT/DELETE statements issued through the Session."""
    if not (state.is_insert or state.is_update or state.is_delete) or not _tracking():
        return None
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in ("users", "mentor_sessions"):
        return None
    if state.is_update and table == "mentor_sessions":
        return None  # no total depends on a session's columns
    # Counted after the statement ran, so a failed statement never moves a counter.
    result = state.invoke_statement()
    if state.is_delete and table == "mentor_sessions":
        delta = Counter(sessions=-max(result.rowcount or 0, 0))
    elif state.is_insert:
        delta = _insert_delta(state, table) or Counter(stale=1)
    else:
        delta = Counter(stale=1)
    if any(delta.values()):
        apply_counter_delta(state.session.connection(), delta)
    return result


def _insert_delta(state: ORMExecuteState, table: str) -> Counter | None:
    """The counts a plain `insert(Model)` with parameter dicts adds, or None if unknowable."""
    stmt = state.statement
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    # Only a bare INSERT says how many rows land from its parameters alone: inline VALUES,
    # INSERT ... SELECT, ON CONFLICT and RETURNING variants all compare unequal to it.
    if not stmt.compare(insert(stmt.table)) or not all(rows):
        return None
    if table == "mentor_sessions":
        return Counter(sessions=len(rows))
    return Counter(users=len(rows), mentors=sum(bool(row.get("is_mentor")) for row in rows))


_LISTENERS = {
    "before_flush": _lock_rows_about_to_change,
    "after_flush": _count_flushed_changes,
    "do_orm_execute": _count_bulk_writes,
}
