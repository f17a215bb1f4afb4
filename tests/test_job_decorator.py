"""`@job(queue)`: a failure is logged with its traceback and raised; the session always ends."""

from __future__ import annotations

import logging

import pytest

from mentorhub.extensions import db
from mentorhub.jobs.decorator import job
from mentorhub.jobs.notifications import deliver_notifications, drain_notifications
from mentorhub.jobs.stats import recount_platform_counters
from mentorhub.models import User


@job("default")
def add_a_user_then(outcome: str) -> str:
    """A job that leaves work in its session, then succeeds or fails."""
    db.session.add(User(email="job@example.com", name="Job", password_hash="x"))
    db.session.flush()
    if outcome == "fail":
        raise ValueError("the job broke")
    return outcome


def test_a_failure_is_logged_with_its_traceback_and_raised(app, caplog):
    session = db.session()
    with pytest.raises(ValueError, match="the job broke"):
        add_a_user_then("fail")
    [record] = [r for r in caplog.records if r.name == "mentorhub.jobs.decorator"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "job add_a_user_then('fail',) failed"
    assert record.exc_info is not None and record.exc_info[0] is ValueError
    # The session the job used is gone, its unfinished insert with it.
    assert db.session() is not session
    assert db.session.query(User).count() == 0


def test_a_success_returns_and_also_ends_the_session(app):
    session = db.session()
    assert add_a_user_then("done") == "done"
    assert db.session() is not session


def test_outside_an_app_context_it_refuses_to_start():
    with pytest.raises(RuntimeError, match="flask worker"):
        add_a_user_then("done")


def test_every_job_names_its_queue():
    assert add_a_user_then.queue == "default"
    assert deliver_notifications.queue == drain_notifications.queue == "notifications"
    assert recount_platform_counters.queue == "default"
